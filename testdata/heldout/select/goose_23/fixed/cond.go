// Package fixed is the fixed version of select/goose_23: cancelWait keeps
// offering the cancellation while a goroutine waits for the lock.
package fixed

import (
	"context"
	"sync"
)

// Cond is a sync.Cond whose Wait can be cancelled by a context.
type Cond struct {
	L       sync.Locker
	waiters int
	signal  chan struct{}
	cancel  chan struct{}
}

// NewCond returns a Cond on l.
func NewCond(l sync.Locker) *Cond {
	return &Cond{L: l, signal: make(chan struct{}), cancel: make(chan struct{})}
}

// Broadcast wakes all waiters; the caller holds c.L.
func (c *Cond) Broadcast() {
	for ; c.waiters > 0; c.waiters-- {
		select {
		case c.signal <- struct{}{}:
		case <-c.cancel:
		}
	}
}

// ContextWait waits like sync.Cond.Wait, or until ctx is done; it returns
// false if ctx ended the wait. The caller holds c.L.
func (c *Cond) ContextWait(ctx context.Context) bool {
	c.waiters++
	c.L.Unlock()
	select {
	case <-c.signal:
		c.L.Lock()
		return true
	case <-ctx.Done():
		c.cancelWait()
		return false
	}
}

func (c *Cond) cancelWait() {
	gotLock := make(chan struct{})
	go func() {
		c.L.Lock()
		close(gotLock)
	}()
	select {
	case c.cancel <- struct{}{}:
		// Broadcast counted us out; it releases the lock when done.
		<-gotLock
	case <-gotLock:
		c.waiters--
	}
}
