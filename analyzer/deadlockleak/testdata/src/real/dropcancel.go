package real

import (
	"context"
	"net/http"
	"time"
)

// stellar-deprecated/horizon#161: CancelWhenClosed derives a context with
// context.WithCancel and starts a goroutine that cancels it when the
// response writer reports the connection closed, or returns on the
// context's Done; it returns the context and its cancel. The middleware
// keeps the context and drops the cancel (ctx, _ =), so on a keep-alive
// connection each request leaves one goroutine waiting. Fix: keep the
// cancel and defer it.
type closeNotifier interface{ CloseNotify() <-chan bool }

func cancelWhenClosed(parent context.Context, w http.ResponseWriter) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	closed := w.(closeNotifier).CloseNotify()
	go func() {
		select {
		case <-closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func closeAwareHandler(parent context.Context, next func(context.Context)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, _ := cancelWhenClosed(parent, w) // want `the cancel func that cancelWhenClosed returns is dropped here: the goroutine it starts \(line \d+\) waits for that cancel or for a signal from cancelWhenClosed's arguments`
		next(ctx)
	}
}

// The fix.
func closeAwareHandlerFixed(parent context.Context, next func(context.Context)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := cancelWhenClosed(parent, w)
		defer cancel()
		next(ctx)
	}
}

// A variant: a deadline context ended early by a stop channel passed in,
// the cancel returned as a context.CancelFunc, dropped in a polling loop.
func untilStopped(parent context.Context, stop <-chan struct{}, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(parent, d)
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func pollUntilStopped(parent context.Context, stop <-chan struct{}, poll func(context.Context) bool) {
	for {
		ctx, _ := untilStopped(parent, stop, time.Hour) // want `the cancel func that untilStopped returns is dropped here`
		if !poll(ctx) {
			return
		}
	}
}

// A variant: the outside signal is a field of a parameter, and the caller
// discards both results.
type peerConn struct{ gone chan struct{} }

func boundToPeer(parent context.Context, c *peerConn) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-c.gone:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func bindPeers(parent context.Context, cs []*peerConn) {
	for _, c := range cs {
		boundToPeer(parent, c) // want `the cancel func that boundToPeer returns is dropped here`
	}
}

// Look-alike: the helper also hands the cancel to a timer, which ends the
// goroutine's wait whatever the caller does with its copy.
func boundedByHelper(parent context.Context, c *peerConn) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-c.gone:
			cancel()
		case <-ctx.Done():
		}
	}()
	time.AfterFunc(time.Minute, cancel)
	return ctx, cancel
}

func bindPeersBounded(parent context.Context, cs []*peerConn) {
	for _, c := range cs {
		boundedByHelper(parent, c)
	}
}
