// Package fixed is the fixed version of context/kuma_7348: the per-tick
// helper goroutine also returns on ctx.Done(), and Start cancels each
// tick's context at the end of the iteration.
package fixed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Watchdog runs until stop is closed.
type Watchdog interface {
	Start(stop <-chan struct{})
}

// SimpleWatchdog calls OnTick on every tick of NewTicker.
type SimpleWatchdog struct {
	NewTicker func() *time.Ticker
	OnTick    func(context.Context) error
	OnError   func(error)
	OnStop    func()
}

// Start runs the watchdog until stop is closed.
func (w *SimpleWatchdog) Start(stop <-chan struct{}) {
	ticker := w.NewTicker()
	defer ticker.Stop()

	for {
		ctx, cancel := context.WithCancel(context.Background())
		// cancel is called at the end of the loop
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		select {
		case <-ticker.C:
			select {
			case <-stop:
			default:
				if err := w.onTick(ctx); err != nil && !errors.Is(err, context.Canceled) {
					w.OnError(err)
				}
			}
		case <-stop:
			if w.OnStop != nil {
				w.OnStop()
			}
			// cancel is called by the above goroutine
			return
		}
		cancel()
	}
}

func (w *SimpleWatchdog) onTick(ctx context.Context) (err error) {
	defer func() {
		if cause := recover(); cause != nil {
			err = fmt.Errorf("%v", cause)
		}
	}()
	return w.OnTick(ctx)
}

// snapshotGenerator regenerates the configuration of one client.
type snapshotGenerator interface {
	Generate(ctx context.Context, clientID string) error
}

// reconcilers starts one watchdog per connected stream.
type reconcilers struct {
	mu        sync.Mutex
	generator snapshotGenerator
	interval  time.Duration
	streams   map[string]chan struct{}
	logf      func(format string, args ...any)
}

// OnStreamOpen starts the watchdog of a new stream.
func (r *reconcilers) OnStreamOpen(clientID string) {
	stop := make(chan struct{})
	r.mu.Lock()
	r.streams[clientID] = stop
	r.mu.Unlock()

	var w Watchdog = &SimpleWatchdog{
		NewTicker: func() *time.Ticker { return time.NewTicker(r.interval) },
		OnTick: func(ctx context.Context) error {
			return r.generator.Generate(ctx, clientID)
		},
		OnError: func(err error) { r.logf("reconcile %s: %v", clientID, err) },
		OnStop:  func() { r.logf("stream %s closed", clientID) },
	}
	go w.Start(stop)
}

// OnStreamClosed stops the watchdog of a stream.
func (r *reconcilers) OnStreamClosed(clientID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if stop, ok := r.streams[clientID]; ok {
		close(stop)
		delete(r.streams, clientID)
	}
}
