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

func (c *cancelFunc) notify(f *fut) {
	if f.state == fCancelled {
		c.cancel()
	}
}
