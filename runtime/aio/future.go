package aio

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
)

// fstate is the state of a future: pending, then finished or cancelled.
type fstate uint8

const (
	fPending fstate = iota
	fFinished
	fCancelled
)

// waker names one suspension of a task: waking it resumes the task only if
// it is still suspended in that same wait, so that a future completing
// after its waiter has moved on (a timeout, a cancellation) is harmless.
type waker struct {
	t   *Task
	seq uint32
}

// subscriber is told when a future it watches completes: it is the
// machinery of Gather, Wait, TaskGroup and the like, Python's done
// callbacks. Subscribers are pointers, so that they can be compared for
// removal.
type subscriber interface{ notify(f *fut) }

// callback is one waiter of a future: a task to wake or a subscriber,
// notified in the loop's next turn as Python's done callbacks are, or at
// once if it is the runtime's own plumbing (immediate).
type callback struct {
	w waker
	s subscriber
}

// immediate is a subscriber notified as soon as the future completes:
// the runtime's own plumbing (stopping I/O, jobs or timers nobody waits
// for), which no task observes.
type immediate interface {
	subscriber
	immediate()
}

// canceler is what cancelling a future cancels instead of the future
// itself: the task that produces it, or the children of a Gather.
type canceler interface{ cancel() bool }

// sharedFut is the canceler of a future that many tasks may wait on (a
// connection's or a server's closing): a waiter's cancellation must not
// cancel it for the others, so the waiter alone gets ErrCancelled.
type sharedFut struct{}

func (sharedFut) cancel() bool { return false }

// fut is the state shared by futures and tasks: Python's asyncio.Future
// without the result, whose type is the generic wrapper's business. It
// belongs to its loop and is only used on the loop's goroutine.
//
// It is laid out for size (a task and a sleep's future embed one): the
// first waiter's fields share a word with the state, and what few futures
// need, more waiters and the report of an unread error, is behind more.
type fut struct {
	loop  *Loop
	err   error
	w0    *Task // the first waiter, if a task (see callback)
	seq0  uint32
	state fstate
	s0    subscriber // the first waiter, if a subscriber
	ctl   canceler   // nil for a plain future
	more  *futMore
}

// futMore is the part of a future that most futures never need.
type futMore struct {
	cbs []callback // the waiters after the first, in order
	rep *errReport // set when the future fails, until the error is read
}

func (f *fut) done() bool { return f.state != fPending }

// first returns the first waiter.
func (f *fut) first() callback { return callback{w: waker{f.w0, f.seq0}, s: f.s0} }

// setFirst makes c the first waiter.
func (f *fut) setFirst(c callback) { f.w0, f.seq0, f.s0 = c.w.t, c.w.seq, c.s }

// others returns the waiters after the first.
func (f *fut) others() []callback {
	if f.more == nil {
		return nil
	}
	return f.more.cbs
}

// addWaker arranges for w to be woken when f completes.
func (f *fut) addWaker(w waker) { f.add(callback{w: w}) }

// subscribe arranges for s.notify(f) to be called in the loop's turn after
// f completes, or in the next turn if f is done already (Python's
// add_done_callback): what Gather, Wait, Shield, AsCompleted, TaskGroup
// and RunUntilComplete wait with, so that they resume their awaiter in
// the turn asyncio does.
func (f *fut) subscribe(s subscriber) {
	if f.done() {
		f.loop.ready.push(entry{s: s, f: f})
		return
	}
	f.add(callback{s: s})
}

// watch arranges for s.notify(f) to be called as soon as the pending f
// completes.
func (f *fut) watch(s immediate) { f.add(callback{s: s}) }

func (f *fut) add(c callback) {
	if f.first() == (callback{}) && len(f.others()) == 0 {
		f.setFirst(c)
		return
	}
	if f.more == nil {
		f.more = new(futMore)
	}
	f.more.cbs = append(f.more.cbs, c)
}

// lastIs reports whether s is the last callback added.
func (f *fut) lastIs(s subscriber) bool {
	if cbs := f.others(); len(cbs) > 0 {
		return cbs[len(cbs)-1].s == s
	}
	return f.s0 == s
}

// unsubscribe removes s, as Python's remove_done_callback, and reports
// whether it was there.
func (f *fut) unsubscribe(s subscriber) bool {
	if f.s0 == s && s != nil {
		f.setFirst(callback{})
		return true
	}
	for i, c := range f.others() {
		if c.s == s {
			f.more.cbs = append(f.more.cbs[:i], f.more.cbs[i+1:]...)
			return true
		}
	}
	return false
}

// cancel cancels f, or what produces it, and reports whether it did.
func (f *fut) cancel() bool {
	if f.state != fPending {
		return false
	}
	if f.ctl != nil {
		return f.ctl.cancel()
	}
	f.state, f.err = fCancelled, ErrCancelled
	f.complete()
	return true
}

// resolve finishes a pending f with err (nil for a result).
func (f *fut) resolve(err error, what string) {
	f.state, f.err = fFinished, err
	if err != nil {
		f.watchUnretrieved(what)
	}
	f.complete()
}

// complete wakes f's waiters and notifies its subscribers, in the order
// they came. Woken tasks run in the loop's next iteration, as Python's
// call_soon'd wakeups do.
func (f *fut) complete() {
	if c := f.first(); c != (callback{}) {
		f.setFirst(callback{})
		f.call(c)
	}
	if f.more == nil {
		return
	}
	cbs := f.more.cbs
	f.more.cbs = nil
	for _, c := range cbs {
		f.call(c)
	}
}

func (f *fut) call(c callback) {
	if c.s != nil {
		if _, now := c.s.(immediate); now {
			c.s.notify(f)
		} else {
			f.loop.ready.push(entry{s: c.s, f: f})
		}
	} else if c.w.t != nil {
		f.loop.wake(c.w)
	}
}

// errReport is what is logged when a failed future is collected before
// anyone read its error (Python's "Task exception was never retrieved").
// It does not point to the future, so that the future can be collected.
type errReport struct {
	retrieved atomic.Bool
	what      string
	err       error
	logger    *slog.Logger
}

// watchUnretrieved arranges the report of f's error if f is collected
// with the error unread.
func (f *fut) watchUnretrieved(what string) {
	r := &errReport{what: what, err: f.err, logger: f.loop.logger}
	if f.more == nil {
		f.more = new(futMore)
	}
	f.more.rep = r
	runtime.AddCleanup(f, func(r *errReport) {
		if !r.retrieved.Load() {
			r.logger.Error("aio: error was never retrieved", "future", r.what, "err", r.err)
		}
	}, r)
}

// retrieve marks f's outcome as read and returns its error.
func (f *fut) retrieve() error {
	if f.more != nil && f.more.rep != nil {
		f.more.rep.retrieved.Store(true)
		f.more.rep = nil
	}
	return f.err
}

// outcome returns f's error once done, or ErrInvalidState while pending.
func (f *fut) outcome() error {
	if f.state == fPending {
		return fmt.Errorf("%w: result is not set", ErrInvalidState)
	}
	return f.retrieve()
}

// Waitable is a future or a task whatever its result type: *Future[R] and
// *Handle[R] implement it. Wait and AsCompleted take Waitables.
type Waitable interface {
	// Done reports whether the future has a result, an error, or was
	// cancelled.
	Done() bool
	// Cancelled reports whether it was cancelled.
	Cancelled() bool
	// Err returns the error it finished with: nil while pending or after
	// a result, ErrCancelled (or an error wrapping it) if cancelled.
	Err() error
	// Cancel requests cancellation and reports whether it was pending.
	Cancel() bool

	AnyAwaitable
	base() *fut
}

// result is a Waitable whose result can be read: what Gather and the
// other combinators need of an awaitable once it is scheduled.
type result[R any] interface {
	Waitable
	value() R
}

// Future is a placeholder for a result set later by a callback or another
// task: Python's asyncio.Future. Tasks await it with Await; SetResult or
// SetErr completes it. Like everything on a loop, a Future must only be
// used on the loop's goroutine (from its tasks and callbacks); other
// goroutines go through Loop.CallSoonThreadsafe.
type Future[R any] struct {
	val R // first: a zero-size last field would be padded (Future[struct{}])
	f   fut
}

// NewFuture returns a pending future attached to l (Python's
// loop.create_future).
func NewFuture[R any](l *Loop) *Future[R] {
	return &Future[R]{f: fut{loop: l}}
}

// Loop returns the loop the future belongs to.
func (x *Future[R]) Loop() *Loop { return x.f.loop }

// Done reports whether the future is done.
func (x *Future[R]) Done() bool { return x.f.done() }

// Cancelled reports whether the future was cancelled.
func (x *Future[R]) Cancelled() bool { return x.f.state == fCancelled }

// Cancel cancels a pending future, waking its waiters with ErrCancelled,
// and reports whether it did; a done future is left as it is.
func (x *Future[R]) Cancel() bool { return x.f.cancel() }

// Result returns the future's result and error: ErrCancelled if it was
// cancelled, ErrInvalidState if it is still pending. It does not wait;
// use Await for that.
func (x *Future[R]) Result() (R, error) {
	if err := x.f.outcome(); err != nil {
		var zero R
		return zero, err
	}
	return x.val, nil
}

// Err returns the error the future finished with, or nil (Python's
// exception(), without the raise for a pending future).
func (x *Future[R]) Err() error {
	if x.f.state == fPending {
		return nil
	}
	return x.f.retrieve()
}

// SetResult completes the future with v. It returns ErrInvalidState if
// the future is already done (or cancelled).
func (x *Future[R]) SetResult(v R) error {
	if x.f.done() {
		return fmt.Errorf("%w: future is already done", ErrInvalidState)
	}
	x.val = v
	x.stopTimer()
	x.f.resolve(nil, "future")
	return nil
}

// SetErr completes the future with err (Python's set_exception). It
// returns ErrInvalidState if the future is already done or err is nil.
func (x *Future[R]) SetErr(err error) error {
	if err == nil {
		return fmt.Errorf("%w: SetErr with a nil error", ErrInvalidState)
	}
	if x.f.done() {
		return fmt.Errorf("%w: future is already done", ErrInvalidState)
	}
	x.stopTimer()
	x.f.resolve(err, "future")
	return nil
}

// AddDoneCallback arranges for fn(x) to be called on the loop in the turn
// after the future is done; if it is done already, fn is scheduled at
// once, as with CallSoon. Callbacks run in the order they were added.
// RemoveDoneCallback takes the callback returned back.
func (x *Future[R]) AddDoneCallback(fn func(*Future[R])) *DoneCallback {
	return addDoneCallback(&x.f, func() { fn(x) })
}

// RemoveDoneCallback removes a callback added by AddDoneCallback so that
// it is not called, and reports whether it did: false if the future was
// done already when it was added or when it is removed, its call
// scheduled (Python's remove_done_callback).
func (x *Future[R]) RemoveDoneCallback(c *DoneCallback) bool { return removeDoneCallback(&x.f, c) }

// String describes the future as Python does: <Future pending>,
// <Future finished result=v>, <Future finished err=e>, <Future cancelled>.
func (x *Future[R]) String() string { return "<Future " + describe(&x.f, x.val) + ">" }

func (x *Future[R]) base() *fut                            { return &x.f }
func (x *Future[R]) value() R                              { return x.val }
func (x *Future[R]) await(t *Task) (R, error)              { return awaitResult(t, x) }
func (x *Future[R]) ensure(*Loop, []TaskOption) result[R]  { return x }
func (x *Future[R]) waitable(*Loop, []TaskOption) Waitable { return x }
func (x *Future[R]) spent() bool                           { return false }

// DoneCallback is a callback added to a future or task with
// AddDoneCallback, to be removed with RemoveDoneCallback.
type DoneCallback struct{ fn func() }

func (c *DoneCallback) notify(f *fut) { f.loop.runCallback(c.fn) }

func addDoneCallback(f *fut, fn func()) *DoneCallback {
	c := &DoneCallback{fn}
	if f.done() {
		f.loop.soon(fn)
		return c
	}
	f.subscribe(c)
	return c
}

func removeDoneCallback(f *fut, c *DoneCallback) bool {
	return c != nil && !f.done() && f.unsubscribe(c)
}

// describe is the state part of a future's or task's String.
func describe(f *fut, val any) string {
	switch {
	case f.state == fPending:
		return "pending"
	case f.state == fCancelled:
		return "cancelled"
	case f.err != nil:
		return fmt.Sprintf("finished err=%v", f.err)
	}
	return fmt.Sprintf("finished result=%v", val)
}
