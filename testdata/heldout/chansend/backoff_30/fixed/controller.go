// Package fixed is the fixed version of chansend/backoff_30: the send
// gives up when the context is done.
package fixed

import (
	"context"
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
	next       chan struct{} // user-facing channel
	resetTimer chan time.Duration
	retries    int
	timer      *time.Timer
}

func newController(ctx context.Context, ig IntervalGenerator, maxRetries int) *controller {
	cctx, cancel := context.WithCancel(ctx) // DO NOT fire this cancel here

	c := &controller{
		cancel:     cancel,
		ctx:        cctx,
		ig:         ig,
		maxRetries: maxRetries,
		next:       make(chan struct{}, 1),
		resetTimer: make(chan time.Duration, 1),
		timer:      time.NewTimer(ig.Next()),
	}

	// enqueue a single fake event so the user gets to retry once
	c.next <- struct{}{}

	go c.loop()
	return c
}

func (c *controller) loop() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case d := <-c.resetTimer:
			if !c.timer.Stop() {
				select {
				case <-c.timer.C:
				default:
				}
			}
			c.timer.Reset(d)
		case <-c.timer.C:
			select {
			case <-c.ctx.Done():
				return
			case c.next <- struct{}{}:
			}
			c.retries++
			if !c.check() {
				c.cancel()
				return
			}
			c.resetTimer <- c.ig.Next()
		}
	}
}

func (c *controller) check() bool {
	if c.maxRetries > 0 && c.retries >= c.maxRetries {
		return false
	}
	return true
}

// Done is closed when the controller gives up or its context ends.
func (c *controller) Done() <-chan struct{} {
	return c.ctx.Done()
}

// Next is the channel on which each retry is signalled.
func (c *controller) Next() <-chan struct{} {
	return c.next
}
