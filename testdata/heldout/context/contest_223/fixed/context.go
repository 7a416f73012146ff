// Package fixed is the fixed version of context/contest_223: a child
// registers with its cancelContext parent instead of starting a goroutine.
package fixed

import (
	"context"
	"sync"
	"time"
)

// CancelFunc cancels or pauses a context.
type CancelFunc func()

type cancelContext struct {
	parent *cancelContext

	mu       sync.Mutex
	done     chan struct{}
	paused   chan struct{}
	err      error
	isPaused bool
	children map[*cancelContext]struct{}
}

func newCancelContext(parent *cancelContext) *cancelContext {
	return &cancelContext{parent: parent, done: make(chan struct{}), paused: make(chan struct{})}
}

// Background returns a root context that is never cancelled.
func Background() *cancelContext { return newCancelContext(nil) }

func (c *cancelContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *cancelContext) Done() <-chan struct{}       { return c.done }
func (c *cancelContext) Value(key interface{}) interface{} {
	if c.parent != nil {
		return c.parent.Value(key)
	}
	return nil
}

func (c *cancelContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Paused is closed when the context is paused.
func (c *cancelContext) Paused() <-chan struct{} { return c.paused }

func (c *cancelContext) cancel(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	children := c.children
	c.children = nil
	c.mu.Unlock()
	for child := range children {
		child.cancel(err)
	}
	if c.parent != nil {
		c.parent.removeChild(c)
	}
}

func (c *cancelContext) pause() {
	c.mu.Lock()
	if c.isPaused {
		c.mu.Unlock()
		return
	}
	c.isPaused = true
	close(c.paused)
	children := make([]*cancelContext, 0, len(c.children))
	for child := range c.children {
		children = append(children, child)
	}
	c.mu.Unlock()
	for _, child := range children {
		child.pause()
	}
}

func (c *cancelContext) removeChild(child *cancelContext) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.children, child)
}

// addChild links child to c, or passes on c's state if it is already
// cancelled or paused.
func (c *cancelContext) addChild(child *cancelContext) {
	c.mu.Lock()
	err, paused := c.err, c.isPaused
	if err == nil {
		if c.children == nil {
			c.children = make(map[*cancelContext]struct{})
		}
		c.children[child] = struct{}{}
	}
	c.mu.Unlock()
	if paused {
		child.pause()
	}
	if err != nil {
		child.cancel(err)
	}
}

var _ context.Context = (*cancelContext)(nil)

// WithCancelAndPause returns a child of parent and its cancel and pause funcs.
func WithCancelAndPause(parent *cancelContext) (*cancelContext, CancelFunc, CancelFunc) {
	ctx := newCancelContext(parent)
	parent.addChild(ctx)
	return ctx, func() { ctx.cancel(context.Canceled) }, ctx.pause
}

// Step is one test step.
type Step interface {
	Run(ctx context.Context) error
}

// runStep runs s with a context the framework can pause.
func runStep(job *cancelContext, s Step) (CancelFunc, error) {
	ctx, _, pause := WithCancelAndPause(job)
	return pause, s.Run(ctx)
}
