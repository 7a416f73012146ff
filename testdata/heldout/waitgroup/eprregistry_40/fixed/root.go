// Package fixed is the fixed version of waitgroup/eprregistry_40: run's
// context is cancelled by a signal or by a deferred cancel that runs
// before the deferred Wait.
package fixed

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
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

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()

	router := Initialize(ctx, messageChannel, &wg)

	server := &http.Server{
		Addr:              addr,
		Handler:           router,
		ReadHeaderTimeout: 3 * time.Second,
	}

	listener, err := net.Listen("tcp", server.Addr)
	if err != nil {
		return err
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
