// Package bug is a held-out kernel (issue 14): a context builder that
// derives a cancellable context from the caller's and drops its cancel
// func, so the goroutine the context package starts to propagate
// cancellation from a parent of a foreign type waits forever.
//
// Upstream: uber/tchannel-go#278 ("Uncancelled contexts are leaking goroutines")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: Build wraps the parent in a context.WithTimeout to apply the call's
// timeout and never calls the CancelFunc (our kernel keeps it in a builder
// field so that plain go vet's lostcancel check passes). The parent is
// tchannel's own context type, which the context package cannot see through, so it
// starts a goroutine that waits for the parent's or the child's Done.
// When the call finishes before the timeout and nobody cancels, the
// goroutine waits until the timer fires and, for a parent with no
// deadline and a long timeout, in effect forever. The PR states the
// cause ("a goroutine is started to propagate the cancel"); the builder
// shape is our reduction.
//
// Fix: Build returns the cancel func and callers defer it.
package bug

import (
	"context"
	"time"
)

// headerCtx carries application headers; it is tchannel's own context
// type, which embeds the parent.
type headerCtx struct {
	context.Context
	headers map[string]string
}

// Done is the parent's Done; defining it makes this a context type the
// context package treats as foreign.
func (c headerCtx) Done() <-chan struct{} { return c.Context.Done() }

// ContextBuilder builds call contexts.
type ContextBuilder struct {
	Timeout       time.Duration
	Headers       map[string]string
	ParentContext context.Context

	cancel context.CancelFunc // kept by Build, never called
}

// Build returns the call context.
func (cb *ContextBuilder) Build() context.Context {
	parent := cb.ParentContext
	if parent == nil {
		parent = context.Background()
	}
	hctx := headerCtx{Context: parent, headers: cb.Headers}
	var ctx context.Context
	ctx, cb.cancel = context.WithTimeout(hctx, cb.Timeout) // heldout:site
	return ctx
}

// Caller makes calls.
type Caller interface {
	Call(ctx context.Context, method string, arg []byte) ([]byte, error)
}

// CallWithHeaders makes one call under a context built for it.
func CallWithHeaders(c Caller, parent context.Context, headers map[string]string, method string, arg []byte) ([]byte, error) {
	cb := &ContextBuilder{Timeout: time.Hour, Headers: headers, ParentContext: parent}
	ctx := cb.Build()
	return c.Call(ctx, method, arg)
}
