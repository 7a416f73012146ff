package real

import "context"

// A context cancelled when a done channel closes: the goroutine waits only
// on the channel and then cancels the new context, which the helper hands
// to its caller. That context also ends with its parent, the caller's
// context; when the parent ends first, nothing obliges the channel's owner
// to close it, and the goroutine waits forever.

// Upstream: grafana/xk6-browser#238. The session's context ends with the
// browser's or when the session closes done; the goroutine waits for done
// only. Fix: select on done and on the new context's Done.
func contextUntilClosed(ctx context.Context, done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		<-done // want `this goroutine forwards a stop channel's close to the context made at line \d+ from contextUntilClosed's context parameter, but waits for nothing else`
	}()
	return ctx
}

func contextUntilClosedFixed(ctx context.Context, done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-done:
		case <-ctx.Done():
		}
	}()
	return ctx
}

// A variant: the stop channel is a field of the struct the method
// belongs to, the cancel is called after the wait, and the context comes
// back with an error.
type tabSession struct {
	detached chan struct{}
}

func (s *tabSession) scope(parent context.Context) (context.Context, error) {
	ctx, cancel := context.WithTimeout(parent, 1<<40)
	go func() {
		<-s.detached // want `this goroutine forwards a stop channel's close to the context made at line \d+ from scope's context parameter`
		cancel()
	}()
	return ctx, nil
}

func (s *tabSession) Detach() { close(s.detached) }

// Look-alike: the new context is made from scratch, so it ends only
// through the goroutine, which ends with it: silent.
func contextFromClose(done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel()
		<-done
	}()
	return ctx
}

// Look-alike: the new context stays in the function, which closes the
// channel itself when its work is done: silent.
func runUntil(parent context.Context, work func(context.Context)) {
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-done
		cancel()
	}()
	work(ctx)
	close(done)
}

// A variant: the session keeps the new context in its field instead of
// returning it.
type cdpSession struct {
	ctx    context.Context
	closed chan struct{}
}

func (s *cdpSession) start(parent context.Context) {
	var cancel context.CancelFunc
	s.ctx, cancel = context.WithCancel(parent)
	go func() {
		<-s.closed // want `this goroutine forwards a stop channel's close to the context made at line \d+ from start's context parameter`
		cancel()
	}()
}

func (s *cdpSession) Close() { close(s.closed) }
