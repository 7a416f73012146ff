// Package fixed is the fixed version of context/horizon_161: the middleware
// cancels the request's context once the request has been served, which
// ends the close-watching goroutine.
package fixed

import (
	"context"
	"net/http"
)

// CloseNotifier is implemented by response writers that can report the
// client's connection closing.
type CloseNotifier interface {
	CloseNotify() <-chan bool
}

// CancelWhenClosed returns a context that is cancelled when the
// connection underlying w is closed.
func CancelWhenClosed(parent context.Context, w http.ResponseWriter) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)

	close := w.(CloseNotifier).CloseNotify()

	// listen for the connection to close, trigger cancelation
	go func() {
		select {
		case <-close:
			cancel()
		case <-ctx.Done():
			return
		}
	}()

	return ctx, cancel
}

type ctxKey struct{}

// RequestContext returns the context the middleware stored for r.
func RequestContext(r *http.Request) context.Context {
	if ctx, ok := r.Context().Value(ctxKey{}).(context.Context); ok {
		return ctx
	}
	return r.Context()
}

func contextMiddleware(parent context.Context) func(next http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		fn := func(w http.ResponseWriter, r *http.Request) {
			ctx := parent
			cancel := func() {}

			// establish "cancel on close" context if possible
			if _, ok := w.(CloseNotifier); ok {
				ctx, cancel = CancelWhenClosed(ctx, w)
			}

			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ctx))
			defer cancel()
			next.ServeHTTP(w, r)
		}
		return http.HandlerFunc(fn)
	}
}
