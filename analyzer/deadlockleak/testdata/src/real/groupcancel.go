package real

import (
	"context"
	"sync"
)

// Upstream: sourcegraph/conc#91. The pool's cancel is called only by a
// failing task with cancel-on-error set; Wait returns without it, and a
// watcher a task left on the pool's context waits until the parent ends.
type ctxPool struct {
	wg            sync.WaitGroup
	ctx           context.Context
	cancel        context.CancelFunc
	cancelOnError bool
}

func newCtxPool(ctx context.Context) *ctxPool {
	ctx, cancel := context.WithCancel(ctx) // want `the cancel of the context this group hands its tasks \(field ctx\) is kept in field cancel, and only Go calls it: Wait, which ends the group's life, never cancels it`
	return &ctxPool{ctx: ctx, cancel: cancel}
}

func (p *ctxPool) Go(f func(context.Context) error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := f(p.ctx); err != nil && p.cancelOnError {
			p.cancel()
		}
	}()
}

func (p *ctxPool) Wait() { p.wg.Wait() }

// A group that never calls its stored cancel.
type ctxBatch struct {
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func newCtxBatch() *ctxBatch {
	b := &ctxBatch{}
	b.ctx, b.cancel = context.WithCancelCause(context.Background()) // want `the cancel of the context this group hands its tasks \(field ctx\) is kept in field cancel, and nothing in the package calls it`
	return b
}

func (b *ctxBatch) Go(f func(context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f(b.ctx)
	}()
}

func (b *ctxBatch) Wait() { b.wg.Wait() }

// The fix: Wait cancels once the tasks are done.
type ctxPoolFixed struct {
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

func newCtxPoolFixed(ctx context.Context) *ctxPoolFixed {
	ctx, cancel := context.WithCancel(ctx)
	return &ctxPoolFixed{ctx: ctx, cancel: cancel}
}

func (p *ctxPoolFixed) Go(f func(context.Context) error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := f(p.ctx); err != nil {
			p.cancel()
		}
	}()
}

func (p *ctxPoolFixed) Wait() {
	p.wg.Wait()
	p.cancel()
}

// Look-alikes: a Close ends the group's life and cancels; the tasks are
// not handed the context; no Wait on a WaitGroup.
type ctxCloser struct {
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

func newCtxCloser() *ctxCloser {
	ctx, cancel := context.WithCancel(context.Background())
	return &ctxCloser{ctx: ctx, cancel: cancel}
}

func (c *ctxCloser) Go(f func(context.Context)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f(c.ctx)
	}()
}

func (c *ctxCloser) Wait() { c.wg.Wait() }

func (c *ctxCloser) Close() {
	c.cancel()
	c.wg.Wait()
}

type ctxPlain struct {
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

func newCtxPlain() *ctxPlain {
	ctx, cancel := context.WithCancel(context.Background())
	return &ctxPlain{ctx: ctx, cancel: cancel}
}

func (c *ctxPlain) Go(f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

func (c *ctxPlain) Wait() { c.wg.Wait() }

func (c *ctxPlain) Abort() { c.cancel() }

type ctxNoWait struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newCtxNoWait() *ctxNoWait {
	ctx, cancel := context.WithCancel(context.Background())
	return &ctxNoWait{ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

func (c *ctxNoWait) Go(f func(context.Context)) {
	go func() {
		f(c.ctx)
		c.done <- struct{}{}
	}()
}

func (c *ctxNoWait) Wait() { <-c.done }
