// Package bug is a held-out kernel (issue 14): Horizon's context
// middleware gives each request a context that is cancelled when the
// client's connection closes, via a goroutine that waits for either the
// close notification or the context's end; the middleware throws the
// cancel func away, so on a keep-alive connection every finished request
// leaves that goroutine waiting until the connection closes.
//
// Upstream: stellar-deprecated/horizon#161 ("Ensure request context is canceled upon completing an http request")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: httpx.CancelWhenClosed(parent, w) makes `ctx, cancel :=
// context.WithCancel(parent)`, takes w's CloseNotify() channel and starts
// `go func() { select { case <-close: cancel(); case <-ctx.Done(): return
// } }()`, returning ctx and cancel. contextMiddleware stores the context
// for the handlers and serves the request, but never calls the cancel
// func, so the goroutine's only way out is the connection closing; the
// PR: "This PR fixes a goroutine leak, triggered when any single tcp
// connection issues multiple http requests." The PR shows only the fixed
// middleware; the discarded cancel is our reading of the code before it.
// goji's web.C and the request-id context are reduced to a context key.
//
// Fix: the middleware keeps the cancel func (a no-op when w cannot notify
// of close) and defers it around next.ServeHTTP.
package bug

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
		select { // heldout:site
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

			// establish "cancel on close" context if possible
			if _, ok := w.(CloseNotifier); ok {
				ctx, _ = CancelWhenClosed(ctx, w) // heldout:site
			}

			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ctx))
			next.ServeHTTP(w, r)
		}
		return http.HandlerFunc(fn)
	}
}
