package aio

import (
	"context"
	"io"
)

// ioState is what a loop's I/O leaves open: listeners and connections,
// closed by Loop.Close, and the context of operations in flight, which
// Close cancels. It is only used on the loop's goroutine, or by Close
// when the loop is not running.
type ioState struct {
	open   map[io.Closer]struct{}
	ctx    context.Context
	cancel context.CancelFunc
}

func (s *ioState) add(c io.Closer) {
	if s.open == nil {
		s.open = map[io.Closer]struct{}{}
	}
	s.open[c] = struct{}{}
}

func (s *ioState) remove(c io.Closer) { delete(s.open, c) }

// context returns a context for operations in flight, cancelled by Close.
func (s *ioState) context() context.Context {
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	return s.ctx
}

func (s *ioState) closeAll() {
	if s.cancel != nil {
		s.cancel()
	}
	for c := range s.open {
		c.Close()
	}
	s.open = nil
}

// post runs f on the loop from a helper goroutine and ends the operation
// counted by beginOp. If the loop is closed, f does not run and orphan
// (if not nil) cleans up instead.
func (l *Loop) post(f func(), orphan func()) {
	err := l.CallSoonThreadsafe(func() {
		l.endOp()
		f()
	})
	if err != nil && orphan != nil {
		orphan()
	}
}

// cancelFunc calls a context's cancel function when the future it watches
// is cancelled: an operation in flight stops when its waiter gives up.
type cancelFunc struct{ cancel context.CancelFunc }

func (c *cancelFunc) immediate() {}

func (c *cancelFunc) notify(f *fut) {
	if f.state == fCancelled {
		c.cancel()
	}
}

// offloading runs the blocking call fn on a helper goroutine and
// suspends the task until it returns, as a resumable operation (see
// resume.go): how the loop dials and listens. If the task stops waiting
// (cancelled) or the loop closes first, fn's context is cancelled and
// what it returns anyway is released with drop.
type offloading[T any] struct{ rw resultWait[T] }

func (o *offloading[T]) start(t *Task, fn func(ctx context.Context) (T, error), drop func(T)) {
	l := t.loop
	f := NewFuture[T](l)
	ctx, cancel := context.WithCancel(l.io.context())
	f.f.watch(&cancelFunc{cancel})
	l.beginOp()
	l.goHelper(func() {
		v, err := fn(ctx)
		release := func() {
			if err == nil {
				drop(v)
			}
		}
		l.post(func() {
			cancel()
			switch {
			case f.Done():
				release()
			case err != nil:
				f.SetErr(err)
			default:
				f.SetResult(v)
			}
		}, func() {
			cancel()
			release()
		})
	})
	o.rw = resultWait[T]{x: f}
}
