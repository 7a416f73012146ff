// Package bug is a held-out kernel (issue 14): a goroutine that forwards the
// root context's cancellation to a child and waits only for the root.
//
// Upstream: vanadium/core#214 ("v23/context: fix goroutine leak in WithRootCancel", fixes vanadium/core#1419)
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: WithRootCancel (v23/context/context.go) builds a context detached
// from the parent's cancellation (its values copied onto
// context.Background()) and starts a goroutine that waits on the root
// context's Done to cancel it. When the new context is cancelled through
// its CancelFunc (the common case: a server forwarding one request) and the
// root is not, the goroutine waits for the root forever; one leak per
// call, visible in pprof. (T keeps only the fields WithRootCancel uses;
// serve is our reduction of a caller.)
//
// Fix: the goroutine also returns when the new context's Done closes (our
// reconstruction of the fix; the thread does not show its code).
package bug

import (
	"context"
	"time"
)

// CancelFunc cancels a T.
type CancelFunc func()

type ctxKey int

const rootKey = ctxKey(iota)

// T is vanadium's context: a context.Context with the chain of keys set on
// it, so that WithRootCancel can copy them.
type T struct {
	context.Context
	parent *T
	key    any
}

// RootContext returns a root context; WithRootCancel forwards its
// cancellation.
func RootContext() (*T, CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	root := &T{Context: ctx}
	return WithValue(root, rootKey, ctx), CancelFunc(cancel)
}

// WithValue returns a child of parent carrying val for key.
func WithValue(parent *T, key, val any) *T {
	return &T{Context: context.WithValue(parent.Context, key, val), parent: parent, key: key}
}

func newChild(ctx context.Context, parent *T) *T {
	return &T{Context: ctx, parent: parent}
}

func copyValues(root context.Context, ctx *T) context.Context {
	if ctx == nil {
		return root
	}
	nctx := copyValues(root, ctx.parent)
	if ctx.key == nil {
		return nctx
	}
	if val := ctx.Value(ctx.key); val != nil {
		return context.WithValue(nctx, ctx.key, val)
	}
	return nctx
}

// WithRootCancel returns a context derived from parent, but that is
// detached from the deadlines and cancellation hierarchy so that this
// context will only ever be canceled when the returned CancelFunc is
// called, or the RootContext from which this context is ultimately
// derived is canceled.
func WithRootCancel(parent *T) (*T, CancelFunc) {
	// Create a new context and copy over the keys.
	nctx := copyValues(context.Background(), parent)
	ctx, cancel := context.WithCancel(nctx)
	if val := parent.Value(rootKey); val != nil {
		rootCtx := val.(context.Context)
		// Forward the cancelation from the root context to the newly
		// created context.
		go func() {
			<-rootCtx.Done() // heldout:site
			cancel()
		}()
	}
	child := newChild(ctx, parent)
	return child, CancelFunc(cancel)
}

// serve handles one request with a context detached from the caller's.
func serve(ctx *T, handle func(*T) error) error {
	rctx, cancel := WithRootCancel(ctx)
	defer cancel()
	deadline, stop := context.WithTimeout(rctx, time.Minute)
	defer stop()
	return handle(newChild(deadline, rctx))
}
