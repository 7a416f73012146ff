// Package bug is a held-out kernel (issue 14): the server's run function
// defers a Wait on the wait group its background goroutines joined, and
// those goroutines only stop when a context that nothing ever cancels is
// done; any error return after they start (the listen failing on a port
// in use) blocks in the deferred Wait for ever.
//
// Upstream: sassoftware/event-provenance-registry#40 ("Some errors on startup cause program to hang")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: run makes ctx := context.Background(), declares wg with defer
// wg.Wait(), and api.Initialize starts the message producer on wg, a
// loop that returns at ctx.Done(). It then listens; if net.Listen fails
// run returns the error, the deferred Wait waits for the producer, and
// the producer waits for a Done that never comes. The issue: "attempts
// to return from the function (such as returning errors) causes the
// entire program to hang"; starting a second server on the same port
// reproduces it. The API router, TLS and the database are left out.
//
// Fix (event-provenance-registry#41): the PR moved to errgroup with
// signal handling; our standard-library rendering gives run a context
// cancelled on SIGINT/SIGTERM and by a deferred cancel that runs before
// the deferred Wait, so an error return stops the goroutines first.
package bug

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// Message is one event for the broker.
type Message struct {
	Topic string
	Data  []byte
}

// Initialize starts the producer that forwards messages to the broker,
// on wg, until ctx is done.
func Initialize(ctx context.Context, msgs <-chan Message, wg *sync.WaitGroup) http.Handler {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-msgs:
				_ = m
			}
		}
	}()
	return http.NewServeMux()
}

func run(addr string) error {
	messageChannel := make(chan Message, 1)

	ctx := context.Background()
	var wg sync.WaitGroup
	defer wg.Wait() // heldout:site

	router := Initialize(ctx, messageChannel, &wg)

	server := &http.Server{
		Addr:              addr,
		Handler:           router,
		ReadHeaderTimeout: 3 * time.Second,
	}

	listener, err := net.Listen("tcp", server.Addr)
	if err != nil {
		return err // heldout:site
	}

	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := server.Serve(listener); err != nil && err != http.ErrServerClosed {
			panic(err)
		}
	}()

	wg.Add(1)
	go func() {
		defer wg.Done()
		<-ctx.Done()
		_ = server.Shutdown(context.Background())
	}()

	wg.Wait()
	return nil
}
