// Package bug is a held-out kernel (issue 14): a test framework's
// cancel-and-pause context that forwards its parent's signals with a
// goroutine, which returns only when the parent is cancelled or the child
// is, so every child whose cancel func the caller drops leaks a goroutine
// for as long as the job's context lives.
//
// Upstream: facebookarchive/contest#223 ("Fix goroutine leak for state Context")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: WithCancelAndPause makes a child cancelContext and starts a
// goroutine that waits for the parent's cancel or pause signal, or for the
// child's own cancellation. As the PR says, this obliges the user to call
// the child's cancel (or pause) for the goroutine to return; test steps
// that derive a context only to be able to pause it, and drop the cancel
// func, leave one goroutine blocked per step until the whole job ends.
// The PR gives the mechanism; the fields and the step that drops cancel
// are our reduction.
//
// Fix: like context.WithCancel, a child of a cancelContext registers
// itself in its parent's children, and the parent's cancel and pause walk
// them; no goroutine is started.
package bug

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
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.done)
}

func (c *cancelContext) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.isPaused {
		return
	}
	c.isPaused = true
	close(c.paused)
}

var _ context.Context = (*cancelContext)(nil)

// WithCancelAndPause returns a child of parent and its cancel and pause funcs.
func WithCancelAndPause(parent *cancelContext) (*cancelContext, CancelFunc, CancelFunc) {
	ctx := newCancelContext(parent)
	go func() {
		select { // heldout:site
		case <-parent.Done():
			ctx.cancel(parent.Err())
		case <-parent.Paused():
			ctx.pause()
			select {
			case <-parent.Done():
				ctx.cancel(parent.Err())
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
	}()
	return ctx, func() { ctx.cancel(context.Canceled) }, ctx.pause
}

// Step is one test step.
type Step interface {
	Run(ctx context.Context) error
}

// runStep runs s with a context the framework can pause.
func runStep(job *cancelContext, s Step) (CancelFunc, error) {
	ctx, _, pause := WithCancelAndPause(job) // heldout:site
	return pause, s.Run(ctx)
}
