// Package bug is a held-out kernel (issue 14): a lost wake-up in a
// channel-based condition variable: Signal drops the wake-up when no
// waiter is receiving yet.
//
// Upstream: juicedata/juicefs#3782 ("sync: wait() may miss signal then cause deadlock")
// Seen: 5043295 (analyzer/lockorder's condlocker testdata mirrors this Cond to fix a wrong-reason report here; the lost wake-up itself is not in any analyzer testdata)
//
// Bug: Cond.Wait unlocks L and then receives from the signal channel;
// Signal sends with a select default. A waiter that has checked its
// predicate and unlocked, but not yet reached the receive, misses the
// signal (the send takes the default), and then waits forever.
//
// Fix: waiters use WaitWithTimeout, which re-checks the predicate
// periodically.
package bug

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
	case c.signal <- true: // heldout:site
	default:
	}
}

// Wait unlocks L, waits for Signal, and locks L again.
func (c *Cond) Wait() {
	c.L.Unlock()
	defer c.L.Lock()
	<-c.signal // heldout:site
}

// WaitWithTimeout is Wait that gives up after d; it reports whether it
// timed out.
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
		s.cond.Wait()
	}
	s.Unlock()
}

func (s *pendingSlice) markReady() {
	s.Lock()
	s.ready = true
	s.Unlock()
	s.cond.Signal()
}
