package real

import "context"

// A watcher on a package variable set once to context.Background()
// (session 25, ctxvar): every gWatch starts a goroutine whose only way
// out is that context's Done, which is never closed.
var gRootCtx = context.Background()

type gEvent struct{ key string }

func gWatch(events <-chan gEvent, handle func(gEvent)) {
	go func() {
		for {
			select {
			case <-gRootCtx.Done(): // want `this goroutine can only end when its context is done, and gWatch starts it with package variable gRootCtx, set once to context.Background\(\)`
				return
			case ev := <-events:
				handle(ev)
			}
		}
	}()
}

// The fix: the caller's context, and the end of the events.
func gWatchFixed(ctx context.Context, events <-chan gEvent, handle func(gEvent)) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				handle(ev)
			}
		}
	}()
}

// Look-alike: the variable is set again by SetBase (a context the caller
// may cancel).
var gBaseCtx = context.Background()

func gSetBase(ctx context.Context) { gBaseCtx = ctx }

func gWatchBase(events <-chan gEvent, handle func(gEvent)) {
	go func() {
		for {
			select {
			case <-gBaseCtx.Done():
				return
			case ev := <-events:
				handle(ev)
			}
		}
	}()
}

// Look-alike: a package context with a cancel the package calls.
var gStopCtx, gStop = context.WithCancel(context.Background())

func gShutdown() { gStop() }

func gWatchStop(events <-chan gEvent, handle func(gEvent)) {
	go func() {
		for {
			select {
			case <-gStopCtx.Done():
				return
			case ev := <-events:
				handle(ev)
			}
		}
	}()
}
