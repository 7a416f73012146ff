package real

import (
	"context"
	"time"
)

// Upstream: uber/tchannel-go#278. A builder derives the call's context with
// a timeout and keeps the CancelFunc in a field nothing ever reads: the
// context is never canceled, and what waits on its Done (for a parent of
// a foreign type, a goroutine the context package starts) waits for the
// timeout or the parent. go vet's lostcancel sees only local variables.

type callBuilder struct {
	Timeout time.Duration
	Parent  context.Context
	cancel  context.CancelFunc
}

func (b *callBuilder) build() context.Context {
	var ctx context.Context
	ctx, b.cancel = context.WithTimeout(b.Parent, b.Timeout) // want `the cancel function of this context.WithTimeout is kept only in field cancel, which nothing in the package ever reads`
	return ctx
}

// The fix: the cancel function goes back to the caller, which defers it.
type callBuilderFixed struct {
	Timeout time.Duration
	Parent  context.Context
}

func (b *callBuilderFixed) build() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.Parent, b.Timeout)
}

// A variant written differently: a composite literal keeps the cancel of
// a WithCancel in a callSession that is returned, and nothing reads it.
type callSession struct {
	ctx  context.Context
	stop func()
}

func openCallSession(parent context.Context) *callSession {
	ctx, cancel := context.WithCancel(parent)
	return &callSession{ctx: ctx, stop: cancel} // want `the cancel function of this context.WithCancel is kept only in field stop`
}

// Look-alike: the field is read by a method value handed on, which counts
// as called.
type watcher struct {
	cancel context.CancelFunc
}

func (w *watcher) start(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	w.cancel = cancel
	return ctx
}

func (w *watcher) onClose(register func(func())) { register(w.cancel) }

// Look-alike: the local cancel is kept in a field and also deferred.
type keptRunner struct {
	cancel context.CancelFunc
}

func (r *keptRunner) run(parent context.Context, work func(context.Context)) {
	ctx, cancel := context.WithCancel(parent)
	r.cancel = cancel
	defer cancel()
	work(ctx)
}
