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
	var a InExecutor[R]
	a.Start(t, ex, f)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// ToThread runs f on the loop's default executor and suspends t until it
// returns (Python's asyncio.to_thread): the way to make a blocking call
// from a task without blocking the loop.
func ToThread[R any](t *Task, f func() (R, error)) (R, error) {
	var a InExecutor[R]
	a.StartThread(t, f)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// InExecutor is RunInExecutor and ToThread as a resumable operation (see
// resume.go).
type InExecutor[R any] struct {
	rw        resultWait[R]
	cancelJob context.CancelCauseFunc // while f may run
}

// Start begins running f on ex (nil: the loop's default executor) for t.
func (a *InExecutor[R]) Start(t *Task, ex futures.Executor, f func(ctx context.Context) (R, error)) {
	*a = InExecutor[R]{}
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
		a.rw.err = err
		return
	}
	a.rw.x, a.cancelJob = wrapFuture(l, src, cancelJob), cancelJob
}

// StartThread begins running f on the loop's default executor for t
// (ToThread).
func (a *InExecutor[R]) StartThread(t *Task, f func() (R, error)) {
	a.Start(t, nil, func(context.Context) (R, error) { return f() })
}

// Step runs the operation on (see resume.go).
func (a *InExecutor[R]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *InExecutor[R]) step(t *Task, thrown error) (Waitable, bool) {
	if w, s := a.rw.step(t, thrown); s {
		return w, true
	}
	if a.cancelJob != nil {
		a.cancelJob(nil)
		a.cancelJob = nil
	}
	return nil, false
}

// Result returns the call's results and forgets the operation.
func (a *InExecutor[R]) Result() (R, error) {
	r, err := a.rw.r, a.rw.err
	*a = InExecutor[R]{}
	return r, err
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
