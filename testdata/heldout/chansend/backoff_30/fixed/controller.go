// Package fixed is the fixed version of chansend/backoff_30: the send
// gives up when the context is done.
package fixed

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
		select {
		case c.next <- struct{}{}:
		case <-c.ctx.Done():
			return
		}
		c.mu.Lock()
		c.retries++
		c.mu.Unlock()
		c.timer.Reset(c.ig.Next())
	}
}
