package a

import (
	"errors"
	"sync"
	"time"

	"b"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

var (
	mu sync.Mutex
	rw sync.RWMutex
)

type cache struct {
	mu   sync.Mutex
	data map[string]int
	sync.Mutex
}

func Fetch(k string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return len(k), nil })
}

func deferred(t *aio.Task, c *cache) (int, error) {
	c.mu.Lock() // the lock, reported as related information
	defer c.mu.Unlock()
	return aio.Await(t, Fetch("k")) // want `c.mu \(sync.Mutex, locked at line 30\) is held across the suspension aio.Await: another task that locks it will block the event loop`
}

func straight(t *aio.Task, q *aio.Queue[int]) {
	mu.Lock()
	aio.Sleep(t, time.Second) // want `mu \(sync.Mutex, locked at line 36\) is held across the suspension aio.Sleep`
	q.Get(t)                  // want `mu \(sync.Mutex, locked at line 36\) is held across the suspension q.Get`
	mu.Unlock()
	aio.Sleep(t, time.Second) // released: fine
}

func reader(t *aio.Task, l *aio.Lock) {
	rw.RLock()
	l.Acquire(t) // want `rw \(sync.RWMutex, read-locked at line 44\) is held across the suspension l.Acquire`
	l.Release()
	rw.RUnlock()
}

func somePaths(t *aio.Task, ok bool) error {
	mu.Lock()
	if ok {
		mu.Unlock()
	}
	return aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 51\) may be held \(it is not unlocked on every path\) across the suspension aio.Sleep`
}

func earlyReturn(t *aio.Task, ok bool) error {
	mu.Lock()
	if !ok {
		mu.Unlock()
		return errors.New("no")
	}
	mu.Unlock()
	return aio.Sleep(t, 0) // unlocked on every path: fine
}

func inLoop(t *aio.Task, n int) {
	for i := 0; i < n; i++ {
		mu.Lock()
		if i%2 == 0 {
			aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 70\) is held across the suspension aio.Sleep`
		}
		mu.Unlock()
	}
}

func embedded(t *aio.Task, c *cache) {
	c.Lock()
	aio.Gather(t, Fetch("a"), Fetch("b")) // want `c.Mutex \(sync.Mutex, locked at line 79\) is held across the suspension aio.Gather`
	c.Unlock()
}

func helpers(t *aio.Task, s *b.Store) {
	s.Lock()
	b.Pause(t) // want `s.mu \(sync.Mutex, locked by s.Lock at line 85\) is held across the suspension b.Pause \(which suspends: aio.Sleep\)`
	s.Unlock()
	b.Pause(t) // released by a helper: fine

	b.RLockGlobal()
	b.Deeper(t) // want `b.global \(sync.RWMutex, read-locked by b.RLockGlobal at line 90\) is held across the suspension b.Deeper \(which suspends: Pause → aio.Sleep\)`
	b.RUnlockGlobal()

	s.Get("x") // locks and unlocks inside: fine
	b.Name(t)  // takes the handle, never suspends: fine
	var x, y sync.Mutex
	b.LockBoth(&x, &y)
	aio.Sleep(t, 0) // want `x \(sync.Mutex, locked by b.LockBoth at line 97\) is held` `y \(sync.Mutex, locked by b.LockBoth at line 97\) is held`
}

func tryLock(t *aio.Task) {
	if mu.TryLock() {
		aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 102\) is held across the suspension aio.Sleep`
		mu.Unlock()
	}
	aio.Sleep(t, 0) // fine
	if !mu.TryLock() {
		aio.Sleep(t, 0) // not locked on this branch: fine
		return
	}
	defer mu.Unlock()
	aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 107\) is held`
}

func generator() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		mu.Lock()
		defer mu.Unlock()
		co.Yield(1) // want `mu \(sync.Mutex, locked at line 117\) is held across the suspension co.Yield`
		return 0
	})
}

func closures(t *aio.Task) *aio.Coroutine[int] {
	mu.Lock()
	defer mu.Unlock()
	func() {
		aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 125\) is held across the suspension aio.Sleep`
	}()
	go func() {
		aio.Sleep(t, 0) // another goroutine: not this function's lock
	}()
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, 0) // runs later, without mu: fine
		return 0, nil
	})
}

func inlinedUnlock(t *aio.Task) {
	mu.Lock()
	func() {
		defer mu.Unlock()
	}()
	aio.Sleep(t, 0) // the literal's deferred unlock ran: fine
}

func deferredLiteral(t *aio.Task) {
	mu.Lock()
	defer func() {
		mu.Unlock()
	}()
	aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 148\) is held`
}

// Negatives that look similar.

func aioLock(t *aio.Task, l *aio.Lock) {
	l.Acquire(t)
	defer l.Release()
	aio.Sleep(t, 0) // an aio.Lock is meant to be held across suspensions
}

func notAsync() {
	mu.Lock()
	time.Sleep(time.Millisecond) // not a suspension
	mu.Unlock()
}

func unlockedBefore(t *aio.Task, c *cache) (int, error) {
	c.mu.Lock()
	v := c.data["k"]
	c.mu.Unlock()
	r, err := aio.Await(t, Fetch("k"))
	return v + r, err
}

func scheduling(t *aio.Task) {
	mu.Lock()
	defer mu.Unlock()
	h := aio.CreateTask(t, Fetch("x")) // scheduling does not suspend
	h.Cancel()
	_ = t.Name()
}

func panics(t *aio.Task, ok bool) {
	mu.Lock()
	if !ok {
		panic("no")
	}
	mu.Unlock()
	aio.Sleep(t, 0) // the locked path panicked: fine
}

func loopUnlocks(t *aio.Task, n int) {
	mu.Lock()
	for i := 0; i < n; i++ {
		mu.Unlock()
		aio.Sleep(t, 0) // released for the suspension on every iteration: fine
		mu.Lock()
	}
	mu.Unlock()
}

func otherLock(t *aio.Task, c *cache) {
	c.mu.Lock()
	c.mu.Unlock()
	mu.Lock()
	mu.Unlock()
	var local sync.Mutex
	local.Lock()
	local.Unlock()
	aio.Sleep(t, 0) // every lock released: fine
}

func condLike(t *aio.Task, s *b.Store) {
	s.Lock()
	s.WaitLocked(t) // s.mu is released while it waits: fine
	s.Unlock()
}

func condLikeOther(t *aio.Task, s, s2 *b.Store) {
	s.Lock()
	s2.WaitLocked(t) // want `s.mu \(sync.Mutex, locked by s.Lock at line \d+\) is held across the suspension s2.WaitLocked \(which suspends: aio.Sleep\)`
	s.Unlock()
}

func suspendingHelper(t *aio.Task, s *b.Store) {
	s.Acquire(t)    // suspends before it locks: fine
	aio.Sleep(t, 0) // want `s.mu \(sync.Mutex, locked by s.Acquire at line \d+\) is held across the suspension aio.Sleep`
	s.Unlock()
}

// A literal called on the spot is part of its enclosing body (reported
// once, not again alone); the literal of a go or defer statement runs apart
// and is analysed alone.
func literalBodies(t *aio.Task) {
	func() {
		mu.Lock()
		aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 238\) is held`
		mu.Unlock()
	}()
	go func() {
		mu.Lock()
		aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 243\) is held`
		mu.Unlock()
	}()
	defer func() {
		mu.Lock()
		aio.Sleep(t, 0) // want `mu \(sync.Mutex, locked at line 248\) is held`
		mu.Unlock()
	}()
}
