// Package futures is a stand-in for asyncgo's runtime/futures with its
// names and signatures, for the analyzer's tests.
package futures

import (
	"context"
	"iter"
	"time"
)

// Executor runs submitted functions.
type Executor interface {
	Shutdown(wait, cancelFutures bool)
}

// PoolOption configures a pool.
type PoolOption func(*poolConfig)

type poolConfig struct{ maxWorkers int }

// MaxWorkers bounds the pool.
func MaxWorkers(n int) PoolOption { return func(c *poolConfig) { c.maxWorkers = n } }

// ThreadPool runs functions on goroutines.
type ThreadPool struct{ c poolConfig }

// NewThreadPool returns a pool.
func NewThreadPool(opts ...PoolOption) *ThreadPool { return &ThreadPool{} }

// Shutdown stops the pool, waiting for running tasks when wait is true.
func (p *ThreadPool) Shutdown(wait, cancelFutures bool) {}

// ProcessPool runs registered functions in worker processes.
type ProcessPool struct{}

// NewProcessPool returns a pool.
func NewProcessPool(opts ...PoolOption) (*ProcessPool, error) { return &ProcessPool{}, nil }

// Shutdown stops the pool.
func (p *ProcessPool) Shutdown(wait, cancelFutures bool) {}

// SubmitOption configures one submission.
type SubmitOption func()

// Future is the result of a submitted function.
type Future[T any] struct{ v T }

// Submit schedules fn on ex.
func Submit[T any](ex Executor, fn func(ctx context.Context) (T, error), opts ...SubmitOption) (*Future[T], error) {
	return &Future[T]{}, nil
}

// Result waits for the result.
func (f *Future[T]) Result(ctx context.Context) (T, error) { return f.v, nil }

// ResultTimeout waits at most d for the result.
func (f *Future[T]) ResultTimeout(d time.Duration) (T, error) { return f.v, nil }

// Exception waits for the error.
func (f *Future[T]) Exception(ctx context.Context) error { return nil }

// Done reports completion without waiting.
func (f *Future[T]) Done() bool { return true }

// Map runs fn over items on ex, yielding results in order.
func Map[A, T any](ctx context.Context, ex Executor, fn func(ctx context.Context, item A) (T, error), items iter.Seq[A]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {}
}

// Waitable is what Wait waits on.
type Waitable interface{ Done() bool }

// ReturnWhen says when Wait returns.
type ReturnWhen int

// When Wait returns.
const (
	AllCompleted ReturnWhen = iota
	FirstCompleted
)

// Wait waits for fs until when holds.
func Wait[F Waitable](ctx context.Context, fs []F, when ReturnWhen) (done, notDone []F) {
	return fs, nil
}
