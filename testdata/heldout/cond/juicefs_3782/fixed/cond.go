// Package fixed is the fixed version of cond/juicefs_3782: the waiter
// re-checks its predicate every second instead of trusting the signal.
package fixed

import (
	"sync"
	"time"
)

// Cond is a condition variable on a channel, so that a wait can time out.
type Cond struct {
	L      sync.Locker
	signal chan bool
}

// NewCond returns a Cond on l.
func NewCond(l sync.Locker) *Cond {
	return &Cond{L: l, signal: make(chan bool)}
}

// Signal wakes one waiter, if one is receiving.
func (c *Cond) Signal() {
	select {
	case c.signal <- true:
	default:
	}
}

// WaitWithTimeout unlocks L, waits for Signal or d, and locks L again; it
// reports whether it timed out.
func (c *Cond) WaitWithTimeout(d time.Duration) bool {
	c.L.Unlock()
	defer c.L.Lock()
	select {
	case <-c.signal:
		return false
	case <-time.After(d):
		return true
	}
}

// pendingSlice is a slice being uploaded; readers wait until it is ready.
type pendingSlice struct {
	sync.Mutex
	cond  *Cond
	ready bool
}

func newPendingSlice() *pendingSlice {
	s := &pendingSlice{}
	s.cond = NewCond(s)
	return s
}

func (s *pendingSlice) waitReady() {
	s.Lock()
	for !s.ready {
		s.cond.WaitWithTimeout(time.Second)
	}
	s.Unlock()
}

func (s *pendingSlice) markReady() {
	s.Lock()
	s.ready = true
	s.Unlock()
	s.cond.Signal()
}
