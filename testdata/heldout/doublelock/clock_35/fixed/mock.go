// Package fixed is the fixed version of doublelock/clock_35: Tick defers
// the AfterFunc function until the clock's mutex has been released.
package fixed

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
	m.mu.Lock()
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
	t.mock.mu.Lock()
	registered := !t.stopped
	t.mock.removeClockTimer((*internalTimer)(t))
	t.stopped = true
	t.mock.mu.Unlock()
	return registered
}

// Reset sets the timer to fire d from now.
func (t *Timer) Reset(d time.Duration) bool {
	t.mock.mu.Lock()
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
	// A gosched after ticking lets any consequences of the tick complete.
	defer gosched()

	t.mock.mu.Lock()
	if t.fn != nil {
		// Defer the function until the lock is released, so that it
		// may call back into the clock.
		defer t.fn()
	} else {
		select {
		case t.c <- now:
		default:
		}
	}
	t.mock.removeClockTimer((*internalTimer)(t))
	t.stopped = true
	t.mock.mu.Unlock()
}

// gosched lets the goroutines woken by a tick run.
func gosched() { time.Sleep(time.Millisecond) }
