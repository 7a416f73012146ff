package aio

import (
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
)

// Machine is an async function's body lowered to a state machine, as the
// asyncgo rewriter generates it: a struct holding the live locals and a
// resume point. A task runs a Machine on the loop's own goroutine, with
// no goroutine or stack of its own; FromMachine makes it a coroutine that
// behaves as one made by Async.
//
// Step runs the body from where it is to its next suspension point or to
// its end. The first call starts the body. It reports one of three
// outcomes:
//
//   - suspended on w (done is false): the task waits until the future or
//     task w is done, then steps the body again, which reads w's outcome
//     (Result, Err) where it left off. A nil w only yields the loop, as
//     Sleep(t, 0) does. What a resumable operation's Step returns is
//     passed on as it is: a Sleeper's longer sleep parks the task on the
//     Sleeper's own timer, with no future. A hand-written body may await
//     a coroutine as a task (CreateTask) and suspend on the task, sleep
//     on After's future, wait for executor work through WrapFuture's.
//   - returned r (done is true, err is nil);
//   - failed with err (done is true). Returning an error that wraps
//     ErrCancelled leaves the task cancelled.
//
// thrown is nil, except when the task delivers an error at the suspension
// point instead of a resumption: ErrCancelled when the task was cancelled
// while w was done, nil or a Sleeper's (when w is a pending future,
// cancelling the task cancels w, and the body finds w cancelled), or the
// error of a wait that could not start (ErrDifferentLoop, a
// *DeadlockError). The body handles thrown as the result of the await it
// was suspended in: it may clean up and return, or carry on. When the loop
// closes, a suspended body is stepped once with ErrCancelled so that its
// pending defers run (a body lowered by the rewriter unwinds with the
// panic a direct-mode body unwinds with). If it returns, or recovers
// that panic and carries on, each of its later suspensions fails at once,
// as a direct-mode body's suspending calls do on a closed loop: the body
// is stepped again at once with ErrLoopClosed thrown, until it ends.
//
// Step must not call direct-mode suspending functions (Await, Sleep,
// Lock.Acquire, ...) with t: it has no stack to suspend, and they panic.
// It steps their resumable operations instead (Awaiter, Sleeper,
// LockAcquire, ...; see resume.go), which return the future to suspend
// on.
// A panic in Step fails the task with a *PanicError, as in direct mode.
// The loop never calls Step concurrently, nor again once it is done.
type Machine[R any] interface {
	Step(t *Task, thrown error) (w Waitable, done bool, r R, err error)
}

// FromMachine returns a coroutine object whose body is the state machine
// m. Like Async, it runs nothing: m.Step is first called when the
// coroutine is scheduled as a task (which then runs it on the loop's
// goroutine) or awaited by a direct-mode task (which drives it inline).
func FromMachine[R any](m Machine[R]) *Coroutine[R] {
	c := &Coroutine[R]{m: m}
	if tracking.Load() != nil {
		c.track = trackCoroutine(c, nil)
	}
	return c
}

// machineName names a lowered coroutine after the function it was lowered
// from, as funcName names a direct one (Python's coro=<spin()>): asyncgo
// rewrite names the machine of a function F _agF and that of a method T.M
// _ag<len(T)>T_M. A hand-written Machine is named by its type.
func machineName(m any) string {
	full := strings.TrimPrefix(fmt.Sprintf("%T", m), "*")
	name, _, _ := strings.Cut(full, "[") // type arguments
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // the package
	}
	rest, ok := strings.CutPrefix(name, "_ag")
	if !ok || rest == "" {
		return full
	}
	digits := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if digits == 0 {
		return rest
	}
	n, err := strconv.Atoi(rest[:digits])
	if m := rest[digits:]; err == nil && len(m) > n+1 && m[n] == '_' {
		return m[n+1:]
	}
	return full
}

// step implements body for lowered coroutines.
func (h *Handle[R]) step(t *Task, thrown error) (w Waitable, done bool) {
	defer func() {
		if v := recover(); v != nil {
			w, done = nil, true
			switch {
			case t.state != fPending:
			case v == errUnwind:
				t.finish(ErrCancelled) // unwound by Loop.Close (a lowered Awaiter or Sleeper)
			default:
				t.finish(&PanicError{Value: v, Stack: debug.Stack()})
			}
		}
	}()
	w, done, r, err := h.coro.m.Step(t, thrown)
	if done {
		if err == nil {
			h.val = r
		}
		t.finish(err)
	}
	return w, done
}

// stepLowered steps a task whose body is a Machine and parks it on the
// future the body suspends on.
func (t *Task) stepLowered() {
	var thrown error
	if t.x != nil {
		thrown, t.x.thrown = t.x.thrown, nil
	}
	t.waitFut = nil
	if t.mustCancel {
		t.mustCancel = false
		if !t.started {
			t.finish(ErrCancelled)
			return
		}
		thrown = ErrCancelled
	}
	t.started = true
	for {
		w, done := t.body.step(t, thrown)
		if done || t.state != fPending || w == parkedDirect {
			return
		}
		t.suspendLowered(w)
		if !t.loop.closed.Load() {
			return
		}
		// Loop.Close is unwinding the task and the body suspends again
		// (it returned from the await it was unwound at, or recovered):
		// the suspension fails at once, as a direct-mode body's does on a
		// closed loop, with ErrLoopClosed, or the error of a wait that
		// could not start.
		t.parked, t.waitFut = false, nil
		thrown = ErrLoopClosed
		if t.x != nil && t.x.thrown != nil {
			thrown, t.x.thrown = t.x.thrown, nil
		}
	}
}

// suspendLowered parks the task, or queues it, on what its lowered body
// suspended on.
func (t *Task) suspendLowered(w Waitable) {
	if w == asleep {
		// Parked until the Sleeper's timer or a cancellation wakes it; a
		// cancellation the body requested of its own task is delivered at
		// once, as park does.
		t.parked = !t.mustCancel
		if !t.parked {
			t.loop.pushTask(t)
		}
		return
	}
	var f *fut
	if w != nil {
		f = w.base()
	}
	if f == nil || f.done() {
		t.loop.pushTask(t)
		return
	}
	if err := waitErr(t, f); err != nil {
		t.extra().thrown = err
		t.loop.pushTask(t)
		return
	}
	t.parkOn(f) // a cancellation the body requested of its own task goes to f
}

// runMachine drives a lowered body inside a direct-mode task: Await of a
// coroutine made by FromMachine.
func runMachine[R any](t *Task, m Machine[R]) (R, error) {
	var thrown error
	for {
		w, done, r, err := m.Step(t, thrown)
		if done {
			return r, err
		}
		thrown = machineWait(t, w)
	}
}

// machineWait suspends the direct-mode task t on w for the lowered body
// it drives and returns what to throw in at the resumption. When the loop
// closes meanwhile and unwinds t, it returns ErrCancelled instead of
// unwinding: the body, stepped with it on a closed loop, unwinds from its
// suspension point itself (a body lowered by the rewriter panics as a
// direct-mode one does), running its pending defers, and the unwinding
// goes on through t's body unless one of them recovers it. Then each
// later suspension fails at once with ErrLoopClosed, as t's own do.
func machineWait(t *Task, w Waitable) (thrown error) {
	defer func() {
		if v := recover(); v != nil {
			if v != errUnwind {
				panic(v)
			}
			thrown = ErrCancelled
		}
	}()
	switch w {
	case nil:
		return t.yield()
	case asleep:
		return t.park()
	}
	return awaitFut(t, w.base())
}

// asleep is what a lowered Sleeper suspends on: the task parks with no
// future, as a direct-mode Sleep's does, until the Sleeper's timer wakes
// it or a cancellation is requested (which requeues a task parked with no
// future, see Task.cancel). Its future is never completed and belongs to
// no loop: waiting on it as on a future fails with ErrDifferentLoop.
var asleep Waitable = new(signal)
