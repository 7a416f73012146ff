// Package bug is a held-out kernel (issue 14): kuma's SimpleWatchdog
// makes a cancellable context for every tick and starts a goroutine that
// cancels it when the watchdog's stop channel closes; nothing else ever
// cancels it, so each tick leaves one goroutine parked on `<-stop` until
// the connection goes away (one per second per connected zone or
// dataplane, 200k+ on a long-lived KDS stream).
//
// Upstream: kumahq/kuma#7348 ("fix(kuma-cp): don't leak goroutine on every tick in SimpleWatchdog")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: kumahq/kuma#7221 made OnTick cancellable: at the top of each loop
// iteration Start does `ctx, cancel := context.WithCancel(...)` and
// `go func() { <-stop; cancel() }()`, then waits for the ticker (running
// OnTick with ctx unless stop is already closed) or for stop. The cancel
// func is only reachable from that goroutine, and the goroutine only
// leaves when stop is closed, so every tick adds a goroutine (and a
// context) that lives as long as the stream. Our reduction: the KDS and
// xDS callers become one reconciler that starts a watchdog per stream
// and closes its stop channel when the stream ends.
//
// Fix: the helper goroutine selects on stop and on ctx.Done(), and Start
// calls cancel() at the end of each iteration, so the goroutine of a
// finished tick returns at once (on stop, the goroutine cancels).
package bug

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
		ctx, cancel := context.WithCancel(context.Background()) // heldout:site
		go func() {
			<-stop // heldout:site
			cancel()
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
			return
		}
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
