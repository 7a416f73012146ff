// Package futures is a stand-in for asyncgo's runtime/futures with the
// agreed names, for the analyzer's tests.
package futures

import (
	"context"
	"iter"
	"time"
)

// Executor runs submitted functions.
type Executor interface {
	Shutdown(wait bool) error
}

// Option configures a pool.
type Option func(*options)

type options struct{ workers int }

// MaxWorkers bounds the pool.
func MaxWorkers(n int) Option { return func(o *options) { o.workers = n } }

// ThreadPool runs functions on goroutines.
type ThreadPool struct{ o options }

// NewThreadPool returns a pool.
func NewThreadPool(opts ...Option) *ThreadPool { return &ThreadPool{} }

// Shutdown stops the pool, waiting for running tasks when wait is true.
func (p *ThreadPool) Shutdown(wait bool) error { return nil }

// ProcessPool runs registered functions in worker processes.
type ProcessPool struct{}

// NewProcessPool returns a pool of n processes.
func NewProcessPool(n int) *ProcessPool { return &ProcessPool{} }

// Shutdown stops the pool.
func (p *ProcessPool) Shutdown(wait bool) error { return nil }

// Future is the result of a submitted function.
type Future[T any] struct{ v T }

// Submit schedules fn on ex.
func Submit[T any](ex Executor, fn func() (T, error)) *Future[T] { return &Future[T]{} }

// Result waits for the result.
func (f *Future[T]) Result(ctx context.Context) (T, error) { return f.v, nil }

// Exception waits for the error.
func (f *Future[T]) Exception(ctx context.Context) error { return nil }

// Done reports completion without waiting.
func (f *Future[T]) Done() bool { return true }

// Map runs fn over items on ex, yielding results in order.
func Map[T, R any](ex Executor, fn func(T) (R, error), items []T) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {}
}

// SubmitErr schedules fn on p, failing after Shutdown.
func (p *ThreadPool) SubmitErr(fn func() (int, error)) (*Future[int], error) {
	return &Future[int]{}, nil
}

// ResultTimeout waits at most d for the result.
func (f *Future[T]) ResultTimeout(d time.Duration) (T, error) { return f.v, nil }
