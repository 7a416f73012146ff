// Package bug is a held-out kernel (issue 14): a cancelling waiter whose
// select with default misses the broadcaster, then waits for the lock the
// broadcaster holds while the broadcaster waits for it on a channel.
//
// Upstream: Shopify/goose#23 ("Remove potential deadlock")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: goose's context-aware Cond counts its waiters; Broadcast, holding
// L, hands a signal to each counted waiter, accepting a cancellation from
// a waiter instead. A waiter whose context is done calls cancelWait, which
// offers the cancellation with a select that has a default: if Broadcast
// has taken L but is not yet in its select, the offer falls through, and
// cancelWait blocks on L.Lock. Broadcast then blocks in its select: no
// waiter receives the signal and none sends the cancellation.
//
// Fix: cancelWait takes the lock in a goroutine and keeps offering the
// cancellation until either the offer is taken or the lock is obtained.
package bug

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
		select { // heldout:site
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
	select {
	case c.cancel <- struct{}{}:
		// Broadcast counted us out.
		c.L.Lock()
	default: // heldout:site
		c.L.Lock() // heldout:site
		c.waiters--
	}
}
