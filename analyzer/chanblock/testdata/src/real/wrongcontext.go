package real

import (
	"context"
	"time"
)

// A goroutine stopped by the wrong context: the function derives a child
// context that it cancels on return, but the goroutine it starts waits on
// the parent's Done.

// Upstream: sensu/sensu-go#1749 (Ring.Next watched its key for deletes in
// a goroutine that selected on the caller's long-lived context, while the
// watch used a child context Next canceled with defer; each call left one
// goroutine waiting for events or the caller's context). Fix: the watcher
// runs on the child context. Reduced in our own words.
type subscriber interface {
	Subscribe(ctx context.Context, topic string) <-chan string
}

func nextItem(ctx context.Context, f subscriber, topic string, ready func() (string, bool)) (string, error) {
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := f.Subscribe(subCtx, topic)
	poke := make(chan struct{}, 1)
	go func() { // want `this goroutine can return only when ctx, nextItem's context parameter, is done, but nextItem cancels only the child context it derives \(line \d+, cancel deferred at line \d+\)`
		for {
			select {
			case <-ctx.Done():
				return
			case <-events:
				select {
				case poke <- struct{}{}:
				default:
				}
			}
		}
	}()
	for {
		if v, ok := ready(); ok {
			return v, nil
		}
		select {
		case <-poke:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

func nextItemFixed(ctx context.Context, f subscriber, topic string, ready func() (string, bool)) (string, error) {
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := f.Subscribe(subCtx, topic)
	poke := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-subCtx.Done():
				return
			case <-events:
				select {
				case poke <- struct{}{}:
				default:
				}
			}
		}
	}()
	for {
		if v, ok := ready(); ok {
			return v, nil
		}
		select {
		case <-poke:
		case <-subCtx.Done():
			return "", subCtx.Err()
		}
	}
}

// A variant written differently (ours): a ticker loop started with the
// parent context handed as an argument, beside a deadline the function
// cancels on return.
func keepAlive(ctx context.Context, ping func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ping()
		case <-ctx.Done():
			return
		}
	}
}

func callWithKeepAlive(ctx context.Context, ping func(), call func(context.Context) error) error {
	callCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	go keepAlive(ctx, ping) // want `this goroutine can return only when ctx, callWithKeepAlive's context parameter, is done`
	return call(callCtx)
}

func callWithKeepAliveFixed(ctx context.Context, ping func(), call func(context.Context) error) error {
	callCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	go keepAlive(callCtx, ping)
	return call(callCtx)
}

// Look-alike negative (ours): the goroutine started with the parent
// context also returns when a channel the function closes on return is
// closed, so it does not outlive the call.
func callWithStop(ctx context.Context, ping func(), call func(context.Context) error) error {
	callCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
	}()
	return call(callCtx)
}

// Look-alikes: the goroutine captures a variable the child context is
// assigned to, so it waits on the child, which the deferred cancel ends.

type connClient struct{ done chan struct{} }

// ctx, cancel := in the top-level block redeclares the parameter: one
// variable, assigned the child before the goroutine starts.
func serveConn(ctx context.Context, serve func(*connClient) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &connClient{done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		close(c.done)
	}()
	return serve(c)
}

// A plain assignment of the child to the parameter.
func serveTimeout(ctx context.Context, d time.Duration, serve func(*connClient) error) error {
	var cancel context.CancelFunc
	ctx, cancel = context.WithTimeout(ctx, d)
	defer cancel()
	c := &connClient{done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		close(c.done)
	}()
	return serve(c)
}

// A declaration in an inner block: a new variable, the child, while a
// closure that only reads it keeps the parameter in a variable too.
func serveInner(ctx context.Context, watch bool, serve func(*connClient) error) error {
	errOf := func() error { return ctx.Err() }
	c := &connClient{done: make(chan struct{})}
	if watch {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			<-ctx.Done()
			close(c.done)
		}()
	}
	if err := serve(c); err != nil {
		return err
	}
	return errOf()
}

// The goroutine really captures the parameter: the child is another
// variable.
func serveParent(ctx context.Context, serve func(context.Context, *connClient) error) error {
	child, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &connClient{done: make(chan struct{})}
	go func() { // want `this goroutine can return only when ctx, serveParent's context parameter, is done`
		<-ctx.Done()
		close(c.done)
	}()
	return serve(child, c)
}

// The parameter assigned the child only after the goroutine has started:
// the goroutine may still read the parent; the rule keeps quiet.
func serveLate(ctx context.Context, serve func(*connClient) error) error {
	c := &connClient{done: make(chan struct{})}
	go func() {
		<-ctx.Done()
		close(c.done)
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	_ = ctx
	return serve(c)
}
