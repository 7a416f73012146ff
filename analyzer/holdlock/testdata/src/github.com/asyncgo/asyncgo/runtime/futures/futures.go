// Package futures is a stand-in for asyncgo's runtime/futures with its
// names, for the analyzers' tests.
package futures

import (
	"context"
	"time"
)

// Executor runs submitted tasks.
type Executor interface {
	Shutdown(wait, cancelFutures bool)
}

// ThreadPool is a pool of goroutines.
type ThreadPool struct{}

// Shutdown stops the pool.
func (p *ThreadPool) Shutdown(wait, cancelFutures bool) {}

// NewThreadPool returns a pool.
func NewThreadPool() *ThreadPool { return &ThreadPool{} }

// Future is a result to come.
type Future[T any] struct{}

// Result waits for the result.
func (f *Future[T]) Result(ctx context.Context) (T, error) { var v T; return v, nil }

// ResultTimeout waits for the result at most d.
func (f *Future[T]) ResultTimeout(d time.Duration) (T, error) { var v T; return v, nil }

// Done reports whether the future is done.
func (f *Future[T]) Done() bool { return true }

// Submit runs fn on ex.
func Submit[T any](ex Executor, fn func(ctx context.Context) (T, error)) (*Future[T], error) {
	return &Future[T]{}, nil
}
