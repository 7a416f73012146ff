// Package bug is a held-out kernel (issue 14): a controller loop that sends
// on the user's "next" channel without also watching its context.
//
// Upstream: lestrrat-go/backoff#30 ("fix goroutine leaks": "Fixed a possible block in sending to the next channel when context is cancelled.")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: the v2 controller's loop selects on its context, a timer-reset
// channel and the timer; when the timer fires it sends on c.next, the
// channel the user reads through Next() (a buffer of one, filled at start
// with the first "retry now" event). Once the user's context is cancelled
// the user stops reading, and a loop that is already in the timer case
// blocks on "c.next <- struct{}{}" forever, since it no longer watches
// ctx.Done(). (Option parsing is reduced to a maxRetries argument.)
//
// Fix: the send is a select with <-c.ctx.Done().
package bug

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
			c.next <- struct{}{} // heldout:site
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
