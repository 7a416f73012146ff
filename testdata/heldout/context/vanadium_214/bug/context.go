// Package bug is a held-out kernel (issue 14): a goroutine that forwards the
// root context's cancellation to a child and waits only for the root.
//
// Upstream: vanadium/core#214 ("v23/context: fix goroutine leak in WithRootCancel", fixes vanadium/core#1419)
// Round: 2
//
// Bug: WithRootCancel derives a child from the root context and starts a
// goroutine that waits on rootCtx.Done() to cancel the child. When the
// child is cancelled (the common case: a server forwarding one request)
// and the root is not, the goroutine waits for the root forever; one leak
// per call, visible in pprof.
//
// Fix: the goroutine also returns when the child's Done closes.
package bug

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
			<-rootCtx.Done() // heldout:site
			cancel()
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
