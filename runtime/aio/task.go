package aio

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Task is the handle of a running coroutine: a task's body receives its
// *Task and passes it, like a context.Context, to everything that may
// suspend it (Await, Sleep, Lock.Acquire, ...). Only one task of a loop
// runs at a time, and a task runs until it suspends, so code between two
// suspension points is never interleaved with other tasks: asyncio's
// single-threaded reasoning holds.
//
// A *Task must not be used outside the body it was given to. The task's
// result is read through its *Handle.
type Task struct {
	fut // the task's own future

	id         uint64 // for the default name, Task-<id>
	body       body
	runner     *runner    // the coroutine running a direct-mode body
	seq        uint32     // numbers the task's suspensions, see waker
	parked     bool       // suspended, waiting for a waker with seq
	mustCancel bool       // deliver ErrCancelled at the next resumption
	started    bool       // a lowered body has been stepped
	cancels    int32      // cancellation requests not yet uncancelled
	waitFut    *fut       // the future the task is parked on, if any
	x          *taskExtra // what only some tasks need
	prev, next *Task      // the loop's list of live tasks
}

// taskExtra holds the parts of a task that only some tasks use, so that
// a task that does not stays small.
type taskExtra struct {
	name    string // given by the Name option or SetName
	sleep   Timer  // the timer of Sleep, reused from one Sleep to the next
	ctx     context.Context
	stopCtx context.CancelCauseFunc
	thrown  error // for a lowered body: an error to deliver at its next step
}

func (t *Task) extra() *taskExtra {
	if t.x == nil {
		t.x = new(taskExtra)
	}
	return t.x
}

// body is what a task runs: *Handle[R] implements it for both kinds of
// coroutine body.
type body interface {
	// run runs a direct-mode body to its end on the task's runner and
	// finishes the task.
	run(t *Task)
	// step runs a lowered body to its next suspension, returning the
	// future it waits on (nil to just yield), or finishes the task.
	step(t *Task, thrown error) (w Waitable, done bool)
	lowered() bool
	coroName() string
	resultValue() any
}

// Name returns the task's name: the one given with the Name option or
// SetName, or Task-N, N counting the loop's tasks from 1.
func (t *Task) Name() string {
	if t.x == nil || t.x.name == "" {
		return "Task-" + strconv.FormatUint(t.id, 10)
	}
	return t.x.name
}

// SetName renames the task.
func (t *Task) SetName(name string) { t.extra().name = name }

// Done reports whether the task has finished or was cancelled.
func (t *Task) Done() bool { return t.done() }

// Cancel requests the task's cancellation, as Handle.Cancel: for code
// that has the *Task of another task (AllTasks, CurrentTask) or cancels
// its own, which then receives ErrCancelled at its next suspension.
func (t *Task) Cancel() bool { return t.cancel() }

// AllTasks returns the tasks of l that are not done, the most recently
// created first (Python's asyncio.all_tasks). Call it on the loop's
// goroutine.
func AllTasks(l *Loop) []*Task {
	var ts []*Task
	for t := l.tasks; t != nil; t = t.next {
		ts = append(ts, t)
	}
	return ts
}

// CurrentTask returns the task of l that is running, or nil when none is,
// in a callback for instance (Python's asyncio.current_task). A task's
// body has its *Task already; CurrentTask serves code called from it
// that was not given it.
func CurrentTask(l *Loop) *Task { return l.current }

// Loop returns the loop the task runs on.
func (t *Task) Loop() *Loop { return t.loop }

// Cancelling returns the number of cancellation requests not yet
// withdrawn by Uncancel (Python's Task.cancelling).
func (t *Task) Cancelling() int { return int(t.cancels) }

// Uncancel withdraws one cancellation request and returns how many remain
// (Python's Task.uncancel). Timeout uses it to tell its own cancellation
// from one requested by someone else. When none remain, a cancellation
// not yet delivered is dropped.
func (t *Task) Uncancel() int {
	if t.cancels > 0 {
		t.cancels--
		if t.cancels == 0 {
			t.mustCancel = false
		}
	}
	return int(t.cancels)
}

// Context returns a context that is cancelled when cancellation of the
// task is first requested, with cause ErrCancelled, or when the task
// finishes. Hand it to blocking code run on other goroutines so that it
// stops with the task. A task that carries on after a cancellation keeps
// a cancelled context.
func (t *Task) Context() context.Context {
	x := t.extra()
	if x.ctx == nil {
		x.ctx, x.stopCtx = context.WithCancelCause(context.Background())
		if t.cancels > 0 {
			x.stopCtx(ErrCancelled)
		} else if t.done() {
			x.stopCtx(context.Canceled)
		}
	}
	return x.ctx
}

// String describes the task as Python does, for instance
// <Task pending name='Task-2' coro=<main.spin()>>; a pending task whose
// cancellation is requested is "cancelling", as in Python 3.11.
func (t *Task) String() string {
	s := describe(&t.fut, t.body.resultValue())
	if t.state == fPending && t.cancels > 0 {
		s = "cancelling"
	}
	return fmt.Sprintf("<Task %s name='%s' coro=<%s()>>", s, t.Name(), t.body.coroName())
}

// cancel implements canceler: Python's Task.cancel. A task parked on a
// future cancels that future (so cancellation reaches an awaited child
// task); otherwise ErrCancelled is delivered where it next resumes.
func (t *Task) cancel() bool {
	if t.state != fPending {
		return false
	}
	t.cancels++
	if t.x != nil && t.x.stopCtx != nil && t.cancels == 1 {
		t.x.stopCtx(ErrCancelled)
	}
	if t.parked && t.waitFut != nil && t.waitFut.cancel() {
		return true // t wakes when the future is done, and sees it cancelled
	}
	t.mustCancel = true
	if t.parked {
		t.parked = false
		t.loop.pushTask(t)
	}
	return true
}

// finish records the end of the task's body: err nil for a result. A
// body that returns ErrCancelled (or an error wrapping it), or returns
// while a cancellation is pending, leaves the task cancelled.
func (t *Task) finish(err error) {
	switch {
	case isCancel(err):
		t.state = fCancelled
	case err == nil && t.mustCancel:
		t.state, err = fCancelled, ErrCancelled
	default:
		t.state = fFinished
	}
	t.err, t.mustCancel, t.parked, t.waitFut = err, false, false, nil
	if t.state == fFinished && err != nil {
		t.watchUnretrieved("task " + t.Name())
	}
	t.loop.unlinkTask(t)
	if t.x != nil && t.x.stopCtx != nil {
		t.x.stopCtx(context.Canceled)
	}
	t.complete()
}

// notify steps the task: a task in the ready queue is an entry like the
// others.
func (t *Task) notify(*fut) { t.loop.runTask(t) }

// step resumes the task for one turn of the loop and returns the runner
// that ran a direct-mode body, if one did.
func (t *Task) step() *runner {
	if t.state != fPending {
		return nil
	}
	if t.body.lowered() {
		t.stepLowered()
		return nil
	}
	r := t.runner
	if r == nil {
		if t.mustCancel {
			// Cancelled before it started: the body never runs, as a
			// coroutine that gets CancelledError thrown in at its start.
			t.finish(ErrCancelled)
			return nil
		}
		r = t.loop.getRunner()
		r.task, t.runner = t, r
	}
	r.next()
	return r
}

// suspend switches from the task's body back to the loop and returns when
// the loop resumes it: with ErrCancelled if a cancellation is to be
// delivered here.
func (t *Task) suspend() error {
	r := t.runner
	if r.closing {
		return ErrLoopClosed
	}
	if !r.yield(struct{}{}) {
		// The loop is closing: unwind the body, running its defers.
		r.closing = true
		panic(errUnwind)
	}
	if t.mustCancel {
		t.mustCancel = false
		return ErrCancelled
	}
	return nil
}

// mustSuspend panics unless the calling code is t's own direct-mode
// body, running: the only place t can suspend. It is checked before a
// suspending call touches anything.
func (t *Task) mustSuspend() {
	if t.loop.current != t || t.runner == nil {
		panic(misuse(t))
	}
}

// misuse explains a suspension that cannot be.
func misuse(t *Task) string {
	if t.body != nil && t.body.lowered() {
		return "aio: " + t.Name() + " has a lowered body, which cannot suspend in a direct-mode call: return a future from Step instead"
	}
	return "aio: " + t.Name() + " used outside its own body (a *Task belongs to the body it is given to)"
}

// park suspends the task until a waker of its current seq wakes it or a
// cancellation is requested.
func (t *Task) park() error {
	t.mustSuspend()
	t.parked = true
	if t.mustCancel {
		t.parked = false
		t.loop.pushTask(t)
	}
	err := t.suspend()
	t.parked = false
	return err
}

// waitOn parks the task until the pending future f completes. Cancelling
// the task meanwhile cancels f; the caller reads f's outcome.
func (t *Task) waitOn(f *fut) error {
	t.mustSuspend()
	t.parkOn(f)
	err := t.suspend()
	t.parked, t.waitFut = false, nil
	return err
}

// parkOn marks the task as waiting on the pending future f, to be woken
// when f completes; a cancellation already requested cancels f, or else
// requeues the task to receive it. Both kinds of body park this way.
func (t *Task) parkOn(f *fut) {
	t.seq++
	f.addWaker(waker{t, t.seq})
	t.waitFut, t.parked = f, true
	if t.mustCancel && f.cancel() {
		t.mustCancel = false // delivered through f
	}
	if t.mustCancel && t.parked {
		t.parked = false
		t.loop.pushTask(t)
	}
}

// yield gives the other ready tasks a turn: Sleep(0).
func (t *Task) yield() error {
	t.mustSuspend()
	t.seq++
	t.loop.pushTask(t)
	return t.suspend()
}

// errUnwind is the panic that unwinds a suspended body when its loop
// closes.
var errUnwind = &struct{ string }{"aio: loop closed"}

// runBody runs a direct-mode body on the task's runner, turning a panic
// into the task's error.
func (t *Task) runBody() {
	defer func() {
		if v := recover(); v != nil {
			if t.state != fPending {
				panic(v) // a bug in finish: let it show
			}
			if v == errUnwind {
				t.finish(ErrCancelled)
				return
			}
			t.finish(&PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	t.body.run(t)
}

// TaskOption configures a task created by CreateTask and its kin.
type TaskOption func(*taskConfig)

type taskConfig struct {
	name  string
	group *TaskGroup
}

// Name names the task (the default is Task-N).
func Name(name string) TaskOption { return func(c *taskConfig) { c.name = name } }

// InGroup creates the task in the TaskGroup g: the group waits for it,
// and its failure cancels the group (see WithTaskGroup).
func InGroup(g *TaskGroup) TaskOption { return func(c *taskConfig) { c.group = g } }

// Handle is a scheduled task: Python's asyncio.Task as its creator sees
// it. It is an Awaitable of the coroutine's result and a Waitable.
type Handle[R any] struct {
	task Task
	coro *Coroutine[R]
	val  R
}

// CreateTask wraps the coroutine c into a task scheduled on t's loop and
// returns its handle (Python's asyncio.create_task). The task starts at
// the loop's next turn; t carries on. A coroutine already awaited or
// scheduled gives a task that fails with ErrCoroutineReused.
func CreateTask[R any](t *Task, c *Coroutine[R], opts ...TaskOption) *Handle[R] {
	return newHandle(t.loop, c, opts)
}

// NewTask is CreateTask for code outside the loop's tasks, for instance
// before running the loop: it schedules c on l.
func NewTask[R any](l *Loop, c *Coroutine[R], opts ...TaskOption) *Handle[R] {
	return newHandle(l, c, opts)
}

func newHandle[R any](l *Loop, c *Coroutine[R], opts []TaskOption) *Handle[R] {
	h := &Handle[R]{coro: c}
	t := &h.task
	t.fut.loop, t.fut.ctl, t.body = l, t, h
	l.taskSeq++
	t.id = l.taskSeq
	var group *TaskGroup
	if len(opts) > 0 {
		cfg := new(taskConfig) // escapes into the options
		for _, o := range opts {
			o(cfg)
		}
		if cfg.name != "" {
			t.extra().name = cfg.name
		}
		group = cfg.group
	}
	switch {
	case l.closed.Load():
		c.claim()
		t.finish(ErrLoopClosed)
	case !c.claim():
		t.finish(ErrCoroutineReused)
	case group != nil && !group.add(t):
		t.finish(ErrGroupDone)
	default:
		l.linkTask(t)
		l.pushTask(t)
	}
	return h
}

// Name returns the task's name.
func (h *Handle[R]) Name() string { return h.task.Name() }

// SetName renames the task.
func (h *Handle[R]) SetName(name string) { h.task.SetName(name) }

// Loop returns the loop the task runs on.
func (h *Handle[R]) Loop() *Loop { return h.task.loop }

// Done reports whether the task has finished or was cancelled.
func (h *Handle[R]) Done() bool { return h.task.done() }

// Cancelled reports whether the task ended cancelled.
func (h *Handle[R]) Cancelled() bool { return h.task.state == fCancelled }

// Cancel requests the task's cancellation: ErrCancelled is delivered at
// the await point where the task is suspended (cancelling what it awaits
// there, so cancellation reaches awaited child tasks), or where it next
// suspends. The task may clean up, its defers run, or even carry on.
// Cancel reports false, and does nothing, if the task is done.
func (h *Handle[R]) Cancel() bool { return h.task.cancel() }

// Cancelling returns the number of pending cancellation requests.
func (h *Handle[R]) Cancelling() int { return h.task.Cancelling() }

// Result returns the task's result and error; ErrInvalidState while it
// runs. It does not wait: use Await for that.
func (h *Handle[R]) Result() (R, error) {
	if err := h.task.outcome(); err != nil {
		var zero R
		return zero, err
	}
	return h.val, nil
}

// Err returns the error the task ended with, nil while it runs or if it
// returned a result.
func (h *Handle[R]) Err() error {
	if h.task.state == fPending {
		return nil
	}
	return h.task.retrieve()
}

// AddDoneCallback arranges for fn(h) to be called on the loop once the
// task is done, as Future.AddDoneCallback.
func (h *Handle[R]) AddDoneCallback(fn func(*Handle[R])) *DoneCallback {
	return addDoneCallback(&h.task.fut, func() { fn(h) })
}

// RemoveDoneCallback removes a callback added by AddDoneCallback, as
// Future.RemoveDoneCallback.
func (h *Handle[R]) RemoveDoneCallback(c *DoneCallback) bool {
	return removeDoneCallback(&h.task.fut, c)
}

// String describes the task (see Task.String).
func (h *Handle[R]) String() string { return h.task.String() }

func (h *Handle[R]) base() *fut                            { return &h.task.fut }
func (h *Handle[R]) value() R                              { return h.val }
func (h *Handle[R]) resultValue() any                      { return h.val }
func (h *Handle[R]) await(t *Task) (R, error)              { return awaitResult(t, h) }
func (h *Handle[R]) ensure(*Loop, []TaskOption) result[R]  { return h }
func (h *Handle[R]) waitable(*Loop, []TaskOption) Waitable { return h }
func (h *Handle[R]) spent() bool                           { return false }

// run implements body for direct-mode coroutines.
func (h *Handle[R]) run(t *Task) {
	v, err := h.coro.fn()(t)
	if err == nil {
		h.val = v
	}
	t.finish(err)
}

func (h *Handle[R]) lowered() bool {
	_, direct := h.coro.m.(directFunc[R])
	return !direct
}

func (h *Handle[R]) coroName() string { return h.coro.name() }

// funcName names the function f for messages as Python names a
// coroutine: spin for the function literal inside spin.
func funcName(f any) string {
	fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
	if fn == nil {
		return "?"
	}
	name := fn.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		// A generic function's instantiation, f[...].func1: Python names
		// the function alone.
		if j := strings.IndexByte(name[i:], ']'); j >= 0 {
			name = name[:i] + name[i+j+1:]
		}
	}
	for {
		i := strings.LastIndexByte(name, '.')
		if i < 0 {
			return name
		}
		last := strings.TrimPrefix(name[i+1:], "func")
		if last != "" && strings.Trim(last, "0123456789") == "" {
			name = name[:i] // a function literal, or a copy of it inlined
			continue
		}
		return name[i+1:]
	}
}
