// Package fixed is the fixed version of mixed/rancher_35884: the func
// DeferredStart returns runs the locked start (now deferredStartAsync) in a
// goroutine of its own and returns, so no controller goroutine waits.
package fixed

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
	case <-w.synced:
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
		_ = start()
	})
}

// DeferredStart returns a func that starts the controllers in the
// background the first time it is called.
func (w *UserContext) DeferredStart(ctx context.Context, register func(ctx context.Context) error) func() error {
	f := w.deferredStartAsync(ctx, register)
	return func() error {
		go f()
		return nil
	}
}

// deferredStartAsync returns a func that registers and starts controllers
// the first time it is called.
func (w *UserContext) deferredStartAsync(ctx context.Context, register func(ctx context.Context) error) func() error {
	var (
		startLock sync.Mutex
		started   bool
	)
	return func() error {
		startLock.Lock()
		defer startLock.Unlock()
		if started {
			return nil
		}
		if err := register(ctx); err != nil {
			return err
		}
		if err := w.Start(ctx); err != nil {
			return err
		}
		started = true
		return nil
	}
}
