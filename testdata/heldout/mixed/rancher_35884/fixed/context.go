// Package fixed is the fixed version of mixed/rancher_35884: the deferred
// start runs once in its own goroutine and callers wait for it without
// holding a lock.
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

// DeferredStart returns a func that starts the registration the first time
// it is called and returns without waiting for the controllers.
func (w *UserContext) DeferredStart(ctx context.Context, register func(ctx context.Context) error) func() error {
	f := w.deferredStartAsync(ctx, register)
	return func() error {
		f()
		return nil
	}
}

func (w *UserContext) deferredStartAsync(ctx context.Context, register func(ctx context.Context) error) func() chan error {
	var (
		once sync.Once
		done = make(chan error, 1)
	)
	return func() chan error {
		once.Do(func() {
			go func() {
				if err := register(ctx); err != nil {
					done <- err
					return
				}
				done <- w.Start(ctx)
			}()
		})
		return done
	}
}
