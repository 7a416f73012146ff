// Package fixed is the fixed version of context/tchannel_278: Build
// returns the cancel func and the caller defers it.
package fixed

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
}

// Build returns the call context and the func that releases it.
func (cb *ContextBuilder) Build() (context.Context, context.CancelFunc) {
	parent := cb.ParentContext
	if parent == nil {
		parent = context.Background()
	}
	hctx := headerCtx{Context: parent, headers: cb.Headers}
	return context.WithTimeout(hctx, cb.Timeout)
}

// Caller makes calls.
type Caller interface {
	Call(ctx context.Context, method string, arg []byte) ([]byte, error)
}

// CallWithHeaders makes one call under a context built for it.
func CallWithHeaders(c Caller, parent context.Context, headers map[string]string, method string, arg []byte) ([]byte, error) {
	cb := &ContextBuilder{Timeout: time.Hour, Headers: headers, ParentContext: parent}
	ctx, cancel := cb.Build()
	defer cancel()
	return c.Call(ctx, method, arg)
}
