// Package split holds the cases that decide whether a sync mutex lock in
// async code is the blocking pass's finding or the holdlock pass's: each
// is reported by exactly one. The blocking pass's findings are marked
// with want comments (analysistest); holdlock's with a comment
// "holdlock: re", a regexp its message matches (TestOneReportPerLock, which
// runs both passes together as the drivers do). A line with neither is
// reported by neither.
package split

import (
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

var (
	mu sync.Mutex
	rw sync.RWMutex
	n  int
)

// A brief critical section, no suspension inside: blocking's (the loop
// waits while another goroutine holds mu).
func brief(t *aio.Task) {
	mu.Lock() // want `\(\*sync.Mutex\).Lock may block the event loop`
	n++
	mu.Unlock()
	rw.RLock() // want `\(\*sync.RWMutex\).RLock may block the event loop`
	_ = n
	rw.RUnlock()
}

// Held across a suspension: holdlock's, at the suspension; the Lock
// itself is not reported again.
func held(t *aio.Task) error {
	mu.Lock()
	defer mu.Unlock()
	return aio.Sleep(t, time.Second) // holdlock: mu \(sync.Mutex, locked at line 38\) is held across the suspension aio.Sleep
}

// A read lock held across an await: holdlock's.
func readHeld(t *aio.Task, c *aio.Coroutine[int]) (int, error) {
	rw.RLock()
	v, err := aio.Await(t, c) // holdlock: rw \(sync.RWMutex, read-locked at line 45\) is held across the suspension aio.Await
	rw.RUnlock()
	return v, err
}

// Released on one path only: holdlock reports it as maybe held; blocking
// leaves that Lock to it.
func maybeHeld(t *aio.Task, ok bool) error {
	mu.Lock()
	if ok {
		mu.Unlock()
	}
	return aio.Sleep(t, time.Second) // holdlock: mu .* may be held
}

// Two Locks reach one suspension, one on each path: holdlock's report
// names the first, and owns both (blocking reports neither).
func twoPaths(t *aio.Task, ok bool) error {
	if ok {
		mu.Lock()
	} else {
		mu.Lock()
	}
	err := aio.Sleep(t, time.Second) // holdlock: mu \(sync.Mutex, locked at line 65\) is held
	mu.Unlock()
	return err
}

// The same mutex twice in one body: the first critical section suspends
// (holdlock's), the second does not (blocking's).
func mixed(t *aio.Task) error {
	mu.Lock()
	err := aio.Sleep(t, time.Second) // holdlock: mu \(sync.Mutex, locked at line 77\) is held
	mu.Unlock()
	mu.Lock() // want `\(\*sync.Mutex\).Lock may block the event loop`
	n++
	mu.Unlock()
	return err
}

// Unlocked before the suspension: blocking's, not holdlock's.
func unlockedFirst(t *aio.Task) error {
	mu.Lock() // want `\(\*sync.Mutex\).Lock may block the event loop`
	n++
	mu.Unlock()
	return aio.Sleep(t, time.Second)
}

// In a generator body, across a Yield: holdlock's.
func gen() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		mu.Lock()
		co.Yield(n) // holdlock: mu \(sync.Mutex, locked at line 97\) is held across the suspension co.Yield
		mu.Unlock()
		return 0
	})
}

// In a literal run on the spot, held across the enclosing body's
// suspension: holdlock's.
func inlined(t *aio.Task) error {
	func() { mu.Lock() }()
	err := aio.Sleep(t, time.Second) // holdlock: mu \(sync.Mutex, locked at line 107\) is held
	mu.Unlock()
	return err
}

// TryLock never blocks: neither pass reports it unless it is held across
// a suspension (holdlock's).
func try(t *aio.Task) error {
	if mu.TryLock() {
		n++
		mu.Unlock()
	}
	if !mu.TryLock() {
		return nil
	}
	defer mu.Unlock()
	return aio.Sleep(t, time.Second) // holdlock: mu \(sync.Mutex, locked at line 120\) is held
}
