package futures

import (
	"context"
	"errors"
	"fmt"
	"log"
	"runtime/debug"
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/internal/errkind"
)

var (
	// ErrCancelled is the error of a future cancelled before it ran
	// (Python's CancelledError). errors.Is(ErrCancelled, context.Canceled)
	// is true, and so is errors.Is(ErrCancelled, aio.ErrCancelled), either
	// way round.
	ErrCancelled error = errkind.New(errkind.Cancelled, "futures: future cancelled")

	// ErrBrokenPool is matched (errors.Is) by the error of every future of
	// a pool that broke: a worker process died or its initializer failed
	// (Python's BrokenProcessPool). Submit to a broken pool fails with it.
	ErrBrokenPool = errors.New("futures: pool is broken")

	// ErrShutdown is returned by Submit after Shutdown.
	ErrShutdown = errors.New("futures: cannot schedule new futures after shutdown")

	// ErrTimeout is returned by ResultTimeout, Map and AsCompleted when their
	// time runs out (Python's TimeoutError). errors.Is(ErrTimeout,
	// context.DeadlineExceeded) is true, and so is errors.Is(ErrTimeout,
	// aio.ErrTimeout), either way round.
	ErrTimeout error = errkind.New(errkind.Timeout, "futures: timed out")
)

// PanicError is the error of a task that panicked.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the task's stack when it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("futures: task panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

type state uint8

const (
	pending state = iota
	running
	cancelled
	finished
)

// Future is the eventual result of a task submitted to an executor, like
// Python's concurrent.futures.Future. Only the executor completes it.
type Future[T any] struct {
	node      // its place in the wait-for graph
	mu        sync.Mutex
	state     state
	ready     chan struct{} // made on demand, closed when done
	val       T
	err       error
	callbacks []func(*Future[T])

	// The task, for a thread pool: the function and the context it runs
	// with, kept here to save allocations per task.
	fn   func(ctx context.Context) (T, error)
	tctx taskCtx
}

func newFuture[T any](name string, p *pool) *Future[T] {
	f := &Future[T]{}
	f.node.init(name, p)
	return f
}

// closed is the Ready channel of futures done before anyone asked for it.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// String names the future, for messages such as ErrDeadlock's.
func (f *Future[T]) String() string { return f.node.name() }

// Ready returns a channel closed when the future is done, for select.
func (f *Future[T]) Ready() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state >= cancelled {
		return closed
	}
	if f.ready == nil {
		f.ready = make(chan struct{})
	}
	return f.ready
}

// Done reports whether the future has finished or been cancelled.
func (f *Future[T]) Done() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state >= cancelled
}

// Running reports whether the task is running now.
func (f *Future[T]) Running() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state == running
}

// Cancelled reports whether the future was cancelled.
func (f *Future[T]) Cancelled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state == cancelled
}

// Cancel cancels the task if it has not started: it reports true if the
// future is cancelled (now or before), false if the task is running or
// has finished.
func (f *Future[T]) Cancel() bool {
	f.mu.Lock()
	if s := f.state; s != pending {
		f.mu.Unlock()
		return s == cancelled
	}
	var zero T
	cbs := f.finishLocked(cancelled, zero, ErrCancelled)
	f.mu.Unlock()
	f.run(cbs)
	return true
}

// start moves a pending future to running; it reports false if it was
// cancelled meanwhile, so the task must not run.
func (f *Future[T]) start() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state != pending {
		return false
	}
	f.state = running
	f.node.running.Store(true)
	return true
}

// settle completes f with the task's outcome, or with a broken pool's
// error whether or not its task started; a future already done stays as
// it is.
func (f *Future[T]) settle(v T, err error) {
	f.mu.Lock()
	if f.state >= cancelled {
		f.mu.Unlock()
		return
	}
	cbs := f.finishLocked(finished, v, err)
	f.mu.Unlock()
	f.run(cbs)
}

// finishLocked moves f to its final state s and returns the callbacks to
// run once f.mu, which is held, is released.
func (f *Future[T]) finishLocked(s state, v T, err error) []func(*Future[T]) {
	f.state = s
	f.val, f.err = v, err
	f.node.setDone() // after val and err: wait's fast path reads them after it
	return f.complete()
}

// complete closes ready and takes the callbacks; f.mu is held.
func (f *Future[T]) complete() []func(*Future[T]) {
	if f.ready != nil {
		close(f.ready)
	}
	cbs := f.callbacks
	f.callbacks = nil
	return cbs
}

func (f *Future[T]) run(cbs []func(*Future[T])) {
	for _, cb := range cbs {
		f.callback(cb)
	}
}

// callback runs cb, logging a panic instead of letting it break the
// executor, as Python logs an exception raised by a done callback.
func (f *Future[T]) callback(cb func(*Future[T])) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("futures: done callback of %s panicked: %v\n%s", f, v, debug.Stack())
		}
	}()
	cb(f)
}

// AddDoneCallback arranges for cb to be called with the future when it is
// done (finished or cancelled), in the goroutine that completes it; if the
// future is already done, cb runs at once. Callbacks run in the order they
// were added. A callback that panics is logged and does not affect the
// future, the executor or the other callbacks.
func (f *Future[T]) AddDoneCallback(cb func(*Future[T])) {
	f.mu.Lock()
	if f.state < cancelled {
		f.callbacks = append(f.callbacks, cb)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.callback(cb)
}

// Result waits for the task and returns its result and error. It returns
// ErrCancelled if the future was cancelled, ctx's error if ctx is done
// first, and ErrDeadlock (a *DeadlockError) when called from a task in a
// wait that can never finish (see DeadlockError), whatever ctx is.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	if err := f.wait(ctx); err != nil {
		var zero T
		return zero, err
	}
	return f.val, f.err
}

// ResultTimeout is Result with a time limit (Python's result(timeout=));
// when it runs out it returns ErrTimeout. Called from a task in a wait
// that can never finish, it returns the *DeadlockError at once instead of
// waiting for the time to run out.
func (f *Future[T]) ResultTimeout(d time.Duration) (T, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	v, err := f.Result(ctx)
	return v, timeoutErr(err)
}

// Exception waits for the task like Result and returns only its error
// (Python's exception()).
func (f *Future[T]) Exception(ctx context.Context) error {
	_, err := f.Result(ctx)
	return err
}

// wait blocks until f is done or ctx is; the result fields may be read
// after it returns nil.
func (f *Future[T]) wait(ctx context.Context) error {
	if f.node.done.Load() {
		return nil // the fast path: no graph, no channel
	}
	ready := f.Ready()
	w := taskFrom(ctx)
	if w == nil && nWorkers.Load() > 0 {
		// Perhaps a task waiting with another context. Finding out costs
		// microseconds (see goid), so only a wait that lasts is asked:
		// the wait that closes a deadlock is still the one that reports
		// it, only a moment later.
		t := time.NewTimer(identifyAfter)
		select {
		case <-ready:
			t.Stop()
			return nil
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		w = currentTask()
	}
	if w != nil {
		if err := w.waitOn(&f.node); err != nil {
			return err
		}
		defer w.waitOn(nil)
	}
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
