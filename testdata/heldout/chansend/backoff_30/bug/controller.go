// Package bug is a held-out kernel (issue 14): a controller loop that sends
// on the user's "next" channel without also watching its context.
//
// Upstream: lestrrat-go/backoff#30 ("fix goroutine leaks": "Fixed a possible block in sending to the next channel when context is cancelled.")
// Round: 2
//
// Bug: the backoff controller's loop waits for its timer and then sends on
// c.next, which the user ranges over via Next(); when the user's context is
// cancelled the user stops reading, and the loop, already past its
// ctx.Done check, blocks on the send forever.
//
// Fix: the send is a select case beside <-c.ctx.Done().
package bug

import (
	"context"
	"sync"
	"time"
)

// IntervalGenerator yields the successive backoff intervals.
type IntervalGenerator interface {
	Next() time.Duration
}

type controller struct {
	ctx        context.Context
	cancel     func()
	ig         IntervalGenerator
	maxRetries int
	mu         *sync.RWMutex
	next       chan struct{} // user-facing channel
	retries    int
	timer      *time.Timer
}

func newController(ctx context.Context, ig IntervalGenerator, maxRetries int) *controller {
	cctx, cancel := context.WithCancel(ctx)
	c := &controller{
		ctx:        cctx,
		cancel:     cancel,
		ig:         ig,
		maxRetries: maxRetries,
		mu:         &sync.RWMutex{},
		next:       make(chan struct{}),
		timer:      time.NewTimer(0),
	}
	go c.loop()
	return c
}

// Next is the channel on which each retry is signalled.
func (c *controller) Next() <-chan struct{} {
	return c.next
}

func (c *controller) check() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.maxRetries > 0 && c.retries >= c.maxRetries {
		return false
	}
	return true
}

func (c *controller) loop() {
	defer close(c.next)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.timer.C:
		}
		if !c.check() {
			return
		}
		c.next <- struct{}{} // heldout:site
		c.mu.Lock()
		c.retries++
		c.mu.Unlock()
		c.timer.Reset(c.ig.Next())
	}
}
