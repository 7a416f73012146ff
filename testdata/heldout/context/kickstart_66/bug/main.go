// Package bug is a held-out kernel (issue 14): a service template's run
// function derives its context from signal.NotifyContext, starts the HTTP
// server in a goroutine that reports a failure on errChan, and waits for
// either. It calls the stop function only on the signal branch; when
// ListenAndServe fails (a port already in use), run returns the error
// without calling it, so the goroutine signal.NotifyContext started keeps
// waiting on the context's Done channel and the signal registration is
// never released. Each run that fails that way, as the tests do, leaks one.
//
// Upstream: raeperd/kickstart.go#66 ("fix: prevent signal notification goroutine leak")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "Previously, when ListenAndServe failed via errChan,
// cancel() was never called, leaking the goroutine"; the same day's
// raeperd/kickstart.go#61 made the same change ("When ListenAndServe fails
// and errChan returns, cancel() from signal.NotifyContext was never
// called"). run follows main.go of the template: flags, the slog logger,
// the http.Server, the errChan goroutine, the select and the graceful
// Shutdown with its own timeout context; the routes and middlewares are
// reduced to one handler.
//
// Fix: `defer cancel()` right after signal.NotifyContext, so every return
// path stops the notification.
package bug

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os/signal"
	"syscall"
	"time"
)

// run starts the server and blocks until a signal or a server error.
func run(ctx context.Context, w io.Writer, args []string, version string) error {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM) // heldout:site

	var port uint
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(w)
	fs.UintVar(&port, "port", 8080, "listen port")
	if err := fs.Parse(args[1:]); err != nil {
		return err // heldout:site
	}

	slog.SetDefault(slog.New(slog.NewJSONHandler(w, nil)))
	server := &http.Server{
		Addr:              fmt.Sprintf(":%d", port),
		Handler:           route(version),
		ReadHeaderTimeout: 10 * time.Second,
	}

	errChan := make(chan error, 1)
	go func() {
		slog.InfoContext(ctx, "server started", slog.Uint64("port", uint64(port)), slog.String("version", version))
		if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			errChan <- err
		}
	}()

	select {
	case err := <-errChan:
		return err // heldout:site
	case <-ctx.Done():
		slog.InfoContext(ctx, "shutting down server")
		cancel()
	}

	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return server.Shutdown(ctx)
}

func route(version string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "ok %s\n", version)
	})
	return mux
}
