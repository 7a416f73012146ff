// Package fixed is the fixed version of context/vanadium_214: the
// forwarding goroutine also ends with the child.
package fixed

import (
	"context"
	"time"
)

// CancelFunc cancels a T.
type CancelFunc func()

// T is vanadium's context, carrying the root context it was derived from.
type T struct {
	ctx     context.Context
	rootCtx *T
	logger  func(string)
}

// Done is the context's done channel.
func (t *T) Done() <-chan struct{} { return t.ctx.Done() }

// WithCancel returns a child of parent and its cancel func.
func WithCancel(parent *T) (*T, CancelFunc) {
	ctx, cancel := context.WithCancel(parent.ctx)
	return &T{ctx: ctx, rootCtx: parent.rootCtx, logger: parent.logger}, CancelFunc(cancel)
}

// WithRootCancel returns a context derived from parent, but that is
// detached from the deadlines and cancellation of parent; it is cancelled
// only with the root context or by the returned func.
func WithRootCancel(parent *T) (*T, CancelFunc) {
	detached := &T{ctx: context.WithoutCancel(parent.ctx), rootCtx: parent.rootCtx, logger: parent.logger}
	ctx, cancel := WithCancel(detached)
	rootCtx := parent.rootCtx
	if rootCtx != nil && rootCtx.Done() != nil {
		// Forward the cancelation from the root context to the newly
		// created context.
		go func() {
			select {
			case <-rootCtx.Done():
				cancel()
			case <-ctx.Done():
				cancel()
			}
		}()
	}
	return ctx, cancel
}

// serve forwards one request with a context detached from the caller's.
func serve(ctx *T, handle func(*T) error) error {
	rctx, cancel := WithRootCancel(ctx)
	defer cancel()
	deadline, stop := context.WithTimeout(rctx.ctx, time.Minute)
	defer stop()
	return handle(&T{ctx: deadline, rootCtx: rctx.rootCtx, logger: rctx.logger})
}
