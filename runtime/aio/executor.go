package aio

import (
	"context"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// RunInExecutor runs f on the executor ex, or the loop's default executor
// if ex is nil, and suspends t until it is done (Python's
// loop.run_in_executor): the loop runs other tasks meanwhile. f's context
// is the executor's (pass it to the Result of futures f waits on, so that
// deadlocks are reported) and is also cancelled, with cause ErrCancelled,
// if t stops waiting because it was cancelled; f not yet started then
// does not run at all. Like a thread in Python, f already running is not
// stopped otherwise: Close waits for it.
func RunInExecutor[R any](t *Task, ex futures.Executor, f func(ctx context.Context) (R, error)) (R, error) {
	l := t.loop
	if ex == nil {
		ex = l.defaultExecutor()
	}
	job, cancelJob := context.WithCancelCause(context.Background())
	src, err := futures.Submit(ex, func(ctx context.Context) (R, error) {
		ctx, stop := context.WithCancelCause(ctx)
		defer stop(nil)
		defer context.AfterFunc(job, func() { stop(context.Cause(job)) })()
		return f(ctx)
	})
	if err != nil {
		cancelJob(nil)
		var zero R
		return zero, err
	}
	out := wrapFuture(l, src, cancelJob)
	v, err := awaitResult(t, out)
	cancelJob(nil)
	return v, err
}

// ToThread runs f on the loop's default executor and suspends t until it
// returns (Python's asyncio.to_thread): the way to make a blocking call
// from a task without blocking the loop.
func ToThread[R any](t *Task, f func() (R, error)) (R, error) {
	return RunInExecutor(t, nil, func(context.Context) (R, error) { return f() })
}

// WrapFuture returns a loop future that completes with the executor
// future f (Python's asyncio.wrap_future), so that a task can await f
// without blocking the loop. Cancelling the loop future cancels f if it
// has not started. Until f is done it holds the virtual clock.
func WrapFuture[T any](l *Loop, f *futures.Future[T]) *Future[T] {
	return wrapFuture(l, f, nil)
}

func wrapFuture[T any](l *Loop, src *futures.Future[T], cancelJob context.CancelCauseFunc) *Future[T] {
	out := NewFuture[T](l)
	out.f.watch(&cancelSource[T]{src, cancelJob})
	l.beginOp()
	src.AddDoneCallback(func(src *futures.Future[T]) {
		v, err := src.Result(context.Background()) // done: does not wait
		l.CallSoonThreadsafe(func() {
			l.endOp()
			switch {
			case out.Done():
			case src.Cancelled():
				out.Cancel()
			case err != nil:
				out.SetErr(err)
			default:
				out.SetResult(v)
			}
		})
	})
	return out
}

// cancelSource cancels the executor's future, and the job's context, when
// the loop future is cancelled.
type cancelSource[T any] struct {
	src       *futures.Future[T]
	cancelJob context.CancelCauseFunc
}

func (c *cancelSource[T]) immediate() {}

func (c *cancelSource[T]) notify(f *fut) {
	if f.state != fCancelled {
		return
	}
	c.src.Cancel()
	if c.cancelJob != nil {
		c.cancelJob(ErrCancelled)
	}
}

func (l *Loop) defaultExecutor() futures.Executor {
	if l.executor == nil {
		l.executor = futures.NewThreadPool(futures.NamePrefix("asyncio"))
	}
	return l.executor
}
