// Package bug is a held-out kernel (issue 14): a controller handler that
// runs a deferred start, which holds the start lock while it waits for the
// controllers to sync, while another handler waits for the start lock.
//
// Upstream: rancher/rancher#35884 ("Don't block controller thread with deferred start"; issue rancher/rancher#35880)
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug (from the PR): if two controller goroutines both run the deferred
// start, one holds the start lock and waits for the controllers to start,
// and the other waits for the start lock to wait for the controllers to
// start; the controllers cannot start (their caches sync through those
// controller goroutines), so neither moves forward.
//
// Fix: the locked start becomes deferredStartAsync, and the func that
// DeferredStart returns runs it with "go f()" and returns nil, so the
// controller goroutine never waits for the start lock or for the sync.
package bug

import (
	"context"
	"sync"
)

// UserContext holds a downstream cluster's controllers.
type UserContext struct {
	mu       sync.Mutex
	handlers []func()
	synced   chan struct{}
	queue    chan func()
}

// NewUserContext starts the controller goroutine; the caches sync after it
// has handled initial items.
func NewUserContext(initial int) *UserContext {
	w := &UserContext{
		synced: make(chan struct{}),
		queue:  make(chan func(), 64),
	}
	go w.runWorker(initial)
	return w
}

// Start starts the registered controllers and waits until they have synced.
func (w *UserContext) Start(ctx context.Context) error {
	select {
	case <-w.synced: // heldout:site
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// runWorker is a controller goroutine; the caches sync once it has handled
// the initial items.
func (w *UserContext) runWorker(initial int) {
	for i := 0; ; i++ {
		if i == initial {
			close(w.synced)
		}
		item := <-w.queue
		item()
	}
}

// Enqueue hands an item to the controller goroutines.
func (w *UserContext) Enqueue(item func()) {
	w.queue <- item
}

// onClusterChange is a controller handler that needs the cluster's
// controllers running; it is called on the controller goroutines.
func (w *UserContext) onClusterChange(start func() error) {
	w.Enqueue(func() {
		_ = start() // heldout:site
	})
}

// DeferredStart returns a func that registers and starts controllers the
// first time it is called.
func (w *UserContext) DeferredStart(ctx context.Context, register func(ctx context.Context) error) func() error {
	var (
		startLock sync.Mutex
		started   bool
	)
	return func() error {
		startLock.Lock() // heldout:site
		defer startLock.Unlock()
		if started {
			return nil
		}
		if err := register(ctx); err != nil {
			return err
		}
		if err := w.Start(ctx); err != nil { // heldout:site
			return err
		}
		started = true
		return nil
	}
}
