// Package bug is a held-out kernel (issue 14): a mock clock for tests
// whose timer, when the clock is moved past its deadline, ticks under
// the clock's mutex and, for a timer made by AfterFunc, calls the
// user's function right there; a function that calls back into the
// clock (stopping another timer, resetting itself, reading Now) locks
// the same mutex and the goroutine moving the clock blocks on itself.
//
// Upstream: benbjohnson/clock#35 ("Address re-entrancy of Tick", issue benbjohnson/clock#33)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the issue: "Timers created with AfterFunc() which call back into
// the timer code by calling Timer.Close() can cause a deadlock. This is
// because Timer.Tick() calls the function while holding the mock time
// source's lock", with a test in which an AfterFunc callback stops
// another timer during Mock.Add. internalTimer.Tick did
// t.mock.mu.Lock(), then t.fn() (or a send on the timer's channel), then
// removed the timer and unlocked; Timer.Stop locks t.mock.mu. The real
// clock side of Timer, Ticker and the Context helpers are left out, and
// the send on the timer's one-slot channel is non-blocking here (upstream
// sent unconditionally) so that a Reset timer whose channel nobody
// drained does not block the kernel for another reason.
//
// Fix: "This defers execution of the ticked function until after the
// lock has been released": Tick does `defer t.fn()` under the lock, so
// the function runs after the explicit Unlock.
package bug

import (
	"sort"
	"sync"
	"time"
)

// Mock is a clock that only moves when told to.
type Mock struct {
	mu     sync.Mutex
	now    time.Time
	timers clockTimers
}

// NewMock returns a mock clock at the zero Unix time.
func NewMock() *Mock {
	return &Mock{now: time.Unix(0, 0)}
}

// Now returns the mock's current time.
func (m *Mock) Now() time.Time {
	m.mu.Lock() // heldout:site
	defer m.mu.Unlock()
	return m.now
}

// Add moves the clock forward by d, firing the timers on the way.
func (m *Mock) Add(d time.Duration) {
	t := m.Now().Add(d)
	for m.runNextTimer(t) {
	}
	m.mu.Lock()
	m.now = t
	m.mu.Unlock()
	gosched()
}

func (m *Mock) runNextTimer(max time.Time) bool {
	m.mu.Lock()
	sort.Sort(m.timers)
	if len(m.timers) == 0 {
		m.mu.Unlock()
		return false
	}
	t := m.timers[0]
	if t.Next().After(max) {
		m.mu.Unlock()
		return false
	}
	m.now = t.Next()
	now := m.now
	m.mu.Unlock()

	t.Tick(now)
	return true
}

// Timer returns a timer that fires on its channel after d.
func (m *Mock) Timer(d time.Duration) *Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	t := &Timer{C: ch, c: ch, mock: m, next: m.now.Add(d)}
	m.timers = append(m.timers, (*internalTimer)(t))
	return t
}

// AfterFunc returns a timer that calls f after d.
func (m *Mock) AfterFunc(d time.Duration, f func()) *Timer {
	t := m.Timer(d)
	m.mu.Lock()
	t.fn = f
	m.mu.Unlock()
	return t
}

// removeClockTimer drops t from the timers; the caller holds m.mu.
func (m *Mock) removeClockTimer(t clockTimer) {
	for i, timer := range m.timers {
		if timer == t {
			copy(m.timers[i:], m.timers[i+1:])
			m.timers[len(m.timers)-1] = nil
			m.timers = m.timers[:len(m.timers)-1]
			break
		}
	}
}

type clockTimer interface {
	Next() time.Time
	Tick(time.Time)
}

type clockTimers []clockTimer

func (a clockTimers) Len() int           { return len(a) }
func (a clockTimers) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }
func (a clockTimers) Less(i, j int) bool { return a[i].Next().Before(a[j].Next()) }

// Timer is a single event.
type Timer struct {
	C       <-chan time.Time
	c       chan time.Time
	next    time.Time
	mock    *Mock
	fn      func() // set by AfterFunc
	stopped bool
}

// Stop turns the timer off; it says whether it was still running.
func (t *Timer) Stop() bool {
	t.mock.mu.Lock() // heldout:site
	registered := !t.stopped
	t.mock.removeClockTimer((*internalTimer)(t))
	t.stopped = true
	t.mock.mu.Unlock()
	return registered
}

// Reset sets the timer to fire d from now.
func (t *Timer) Reset(d time.Duration) bool {
	t.mock.mu.Lock() // heldout:site
	defer t.mock.mu.Unlock()
	t.next = t.mock.now.Add(d)
	registered := !t.stopped
	if t.stopped {
		t.mock.timers = append(t.mock.timers, (*internalTimer)(t))
	}
	t.stopped = false
	return registered
}

type internalTimer Timer

func (t *internalTimer) Next() time.Time { return t.next }

func (t *internalTimer) Tick(now time.Time) {
	t.mock.mu.Lock() // heldout:site
	if t.fn != nil {
		t.fn() // heldout:site
	} else {
		select {
		case t.c <- now:
		default:
		}
	}
	t.mock.removeClockTimer((*internalTimer)(t))
	t.stopped = true
	t.mock.mu.Unlock()
	gosched()
}

// gosched lets the goroutines woken by a tick run.
func gosched() { time.Sleep(time.Millisecond) }
