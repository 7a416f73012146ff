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
