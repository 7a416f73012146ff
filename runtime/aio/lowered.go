package aio

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// This file holds what the asyncgo rewriter's lowered async bodies (package
// rewrite, //asyncgo:async) need at run time, beside the Machine contract:
// their frame, and the resume points of Await and Sleep. Every other call
// that suspends has its resume point in the resumable operation that its
// direct-mode function drives too (resume.go): LockAcquire,
// ConditionWait, SemaphoreAcquire, EventWait, BarrierWait, BarrierChange,
// QueueGet, QueuePut, QueueJoin, Gathering, Waiting, WaitingFor,
// Shielding, Completions (a range loop over AsCompleted), InExecutor,
// Connecting, ServerStart, Reading, Draining and Closing; and the blocks
// whose callbacks the rewriter inlines, TimeoutBlock (Timeout, TimeoutAt)
// and TaskGroupBlock (WithTaskGroup), whose contract scope.go gives. The
// rewriter's contract with each operation is the same: a machine field of
// the type per resume point, then
//
//	op.StartX(t, receiver, args...)  // the call's arguments, as written
//	thrown = nil
//	resume:
//	if w, s := op.Step(t, thrown); s { return w } // suspended on w
//	results := op.ResultX()
//
// where a resumption of the body jumps to resume with the error the task
// delivered there (nil, ErrCancelled, or the error of a wait that could
// not start).

// Frame is the pending-defer stack and results of a lowered async body:
// coro.Frame's defers (Push, Defer, Iterate), its R for the body's first
// result, and E for its error. Step defers Unwind and ends with Return.
// It also holds the coroutine object that runs the body (see Coroutine).
type Frame[R any] struct {
	coro.Frame[R]
	// E is the body's error result.
	E error
	c Coroutine[R]
}

// Coroutine returns a coroutine object whose body is the state machine m,
// whose frame f is: FromMachine(m), except that the object lives in f, so
// that making the coroutine allocates nothing beyond m (and awaiting it
// inline nothing at all). The rewriter's generated constructors call it
// once, right after making m; the machine must not be copied after.
func (f *Frame[R]) Coroutine(m Machine[R]) *Coroutine[R] {
	// f.c is zero (a new machine): only m is set, so that no write
	// barrier runs over the whole object while the GC marks.
	if f.c.m != nil || f.c.track != nil {
		f.c = Coroutine[R]{}
	}
	f.c.m = m
	if tracking.Load() != nil {
		f.c.track = trackCoroutine(&f.c, nil)
	}
	return &f.c
}

// Unwind is deferred by a lowered Step: a panic of the body runs the
// pending defers, each as a deferred call of that panic; if one recovers
// it, the body returns its results, else the panic goes on (the task fails
// with a *PanicError, or, awaited inline, it unwinds the awaiting body, as
// in direct mode). A runtime.Goexit (neither a panic nor a return: *pc is
// zero between resume points and *done is set at the end) runs them too.
func (f *Frame[R]) Unwind(pc *int, done *bool, r *R, err *error) {
	if *done || *pc != 0 {
		// The body returned, or suspended at a resume point: nothing to
		// recover (it sets neither before a call that may panic), and the
		// call of recover is skipped.
		return
	}
	if v := recover(); v != nil {
		if left := f.Frame.Unwound(v); left != nil {
			panic(left)
		}
		*done, *r, *err = true, f.R, f.E
	} else {
		f.Frame.Exit()
	}
}

// Return runs the pending defers of a body that returned and reports its
// results; a panic a deferred call raised goes on.
func (f *Frame[R]) Return(done *bool, r *R, err *error) {
	if left := f.Frame.Returned(); left != nil {
		panic(left)
	}
	*done, *r = true, f.R
	// A nil error (the common case) is written only over a non-nil one:
	// no write barrier while the GC marks.
	if e := f.E; e != nil || *err != nil {
		*err = e
	}
}

// Awaiter is one resume point of Await in a lowered body. Start begins the
// await; Step, called at once and then at each resumption, reports whether
// the body must suspend (on w); Result then gives Await's results.
//
// A coroutine runs inside the awaiting task, as the direct-mode Await of a
// coroutine runs it, with no task or future of its own. A lowered one (made
// by FromMachine or Frame.Coroutine) runs inline: its Step is called from
// the awaiting body's, its suspensions are the task's. A direct-mode one
// has no machine to step: its body runs on a stack of its own (a runner,
// as a direct-mode task's body does) but as part of the awaiting task,
// from the step that starts the await, and its suspensions park the task
// itself. So, as in direct mode: its *Task is the awaiting task (its name,
// CurrentTask, Cancelling and Uncancel inside the body are that task's),
// AllTasks lists no task for it, cancelling the task delivers ErrCancelled
// at the body's own suspension point, Loop.Close unwinds it before the
// awaiting body, Await returns its two results as they are, and a panic in
// it goes on through the awaiting body with the same value (its deferred
// calls and recover see what direct mode's do); if a deferred recover in
// it stops the unwinding of Loop.Close, the await returns and the
// awaiting body carries on, its later suspensions failing at once with
// ErrLoopClosed. One thing differs: when that panic ends the task, the
// *PanicError's Stack shows where the awaiting body raised it again, not
// where the direct body panicked.
//
// A task or future is waited for as Await does.
type Awaiter[R any] struct {
	m   Machine[R]    // a coroutine run inside the task (directAwait for a direct one)
	x   resultWait[R] // a task or future waited for
	r   R
	err error
}

// Start begins awaiting a in t.
func (a *Awaiter[R]) Start(t *Task, x Awaitable[R]) {
	// a is zero but for an await that ended by a panic (Step or Result
	// forget the others): clear it only then, field by field, so that no
	// write barrier runs over the whole Awaiter while the GC marks.
	var zero R
	a.r = zero
	if a.m != nil || a.x.x != nil || a.err != nil {
		a.reset()
	}
	if c, ok := x.(*Coroutine[R]); ok {
		switch f, direct := c.m.(directFunc[R]); {
		case !c.claim():
			a.err = ErrCoroutineReused
		case direct:
			a.m = &directAwait[R]{f: f}
		default:
			a.m = c.m
		}
		return
	}
	a.x.x = x.ensure(t.loop, nil)
}

// StartMachine begins awaiting in t the lowered coroutine whose state
// machine is m, as Start does with m's coroutine object, but with no
// object: m must be a machine made for this await alone, unstarted, that
// nothing else steps. It is for generated code that awaits a call of a
// lowered async function of its own package and keeps the callee's
// machine in the awaiting one, reusing it at each await of that call
// (zeroed), so that such an await allocates nothing at all.
func (a *Awaiter[R]) StartMachine(t *Task, m Machine[R]) {
	var zero R
	a.r = zero
	if a.m != nil || a.x.x != nil || a.err != nil {
		a.reset()
	}
	a.m = m
}

// Step runs the await on: thrown is the error the task delivered at the
// resume point (nil at the start). It reports whether the body suspends,
// and on what.
func (a *Awaiter[R]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	switch {
	case a.m != nil:
		// Loop.Close unwinds the inline body from its own suspension
		// point, and the unwinding goes on through this one unless the
		// inline body recovers it: then the await returns what it
		// returned, as in direct mode.
		w, done, r, err := a.m.Step(t, thrown)
		if !done {
			return w, true
		}
		a.m, a.r = nil, r
		if err != nil { // a.err is nil (Start)
			a.err = err
		}
	case a.x.x != nil:
		// Loop.Close unwinds a suspended body, as it unwinds a direct one
		// (with the same panic): its defers run, recover sees what it
		// sees in direct mode, the task ends cancelled.
		unwinding(t, thrown)
		// As Await: a wait that cannot start fails at once, without a
		// turn of the loop.
		if w, s := a.x.step(t, thrown); s {
			return w, true
		}
		a.r, a.err = a.x.r, a.x.err
		a.x = resultWait[R]{}
	}
	return nil, false
}

// Result returns the outcome of the await and forgets it.
func (a *Awaiter[R]) Result() (R, error) {
	var zero R
	r, err := a.r, a.err
	a.r = zero
	if err != nil {
		a.err = nil
	}
	return r, err
}

// reset forgets an await left by a panic.
func (a *Awaiter[R]) reset() {
	var zero R
	a.m, a.r, a.err = nil, zero, nil
	if a.x.x != nil {
		a.x = resultWait[R]{}
	}
}

// directAwait runs the body of a direct-mode coroutine that a lowered body
// awaits inside the awaiting task (see Awaiter), as a Machine whose Step
// resumes the body on its runner until it suspends the task or ends.
type directAwait[R any] struct {
	f        func(t *Task) (R, error)
	run      *runner // running the body, from its first step to its end
	over     bool    // the body returned or panicked
	res      R
	err      error
	panicked bool
	pv       any // the body's panic, raised again in the awaiting body
}

// Step implements Machine.
func (d *directAwait[R]) Step(t *Task, thrown error) (w Waitable, done bool, res R, err error) {
	if t.runner != nil {
		// Already on a stack of t's: a direct-mode body awaiting, through
		// lowered coroutines, this one. Call it there, as Await does.
		res, err = d.f(t)
		return nil, true, res, err
	}
	r := d.run
	closing := thrown != nil && t.loop.closed.Load()
	switch {
	case r == nil:
		r = t.loop.getRunner()
		r.task, r.job, d.run = t, d.body, r
		// Awaited by a body that carried on while Loop.Close unwound it:
		// the body's suspensions fail at once (see Task.suspend).
		r.closing = t.loop.closed.Load()
	case thrown != nil && !closing:
		// The only error a task delivers where it is parked by a
		// direct-mode wait (see stepLowered): the body's wait takes it
		// as a direct task's does.
		t.mustCancel = true
	}
	t.runner = r
	if closing {
		r.closing = true
		r.stop() // the body unwinds from its suspension point
	} else {
		r.next()
	}
	if !d.over {
		t.runner = nil // the task is parked, or queued, by the body's wait
		return parkedDirect, false, res, nil
	}
	d.run = nil
	if d.panicked {
		v := d.pv
		d.pv = nil
		panic(v)
	}
	return nil, true, d.res, d.err
}

// body runs the direct-mode body on the runner, as part of the task t.
func (d *directAwait[R]) body(t *Task) {
	defer func() {
		if v := recover(); v != nil {
			d.panicked, d.pv = true, v
		}
		d.over = true
	}()
	d.res, d.err = d.f(t)
}

// parkedDirect is what a lowered body suspends on while a direct-mode
// body it awaits is suspended: that body's wait has parked or queued the
// task already.
var parkedDirect Waitable = new(signal)

// Sleeper is one resume point of Sleep in a lowered body, used as Awaiter
// is: Sleep(t, 0) yields the loop for one turn; a longer sleep arms the
// Sleeper's own timer, which wakes the task as a direct-mode Sleep's
// does, and the task parks on it with no future (Step returns asleep).
// Cancelling the task while it sleeps makes Result ErrCancelled, even if
// the cancellation is withdrawn (Task.Uncancel) before the task runs, as
// the cancelled future of Python's sleep does.
type Sleeper struct {
	tm      Timer // armed while timed
	timed   bool
	started bool
	err     error
}

// Start begins sleeping d in t.
func (s *Sleeper) Start(t *Task, d time.Duration) {
	s.timed, s.started, s.err = false, false, nil
	if d > 0 {
		t.armSleep(&s.tm, d)
		s.timed = true
	}
}

// Step runs the sleep on, as Awaiter.Step does.
func (s *Sleeper) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	if !s.timed {
		switch {
		case thrown != nil:
			unwinding(t, thrown)
			s.err = thrown
		case !s.started:
			s.started = true
			return nil, true // Sleep(t, 0): one turn
		}
		return nil, false
	}
	pending := s.tm.pending()
	if thrown == nil && pending {
		if !s.started {
			s.started = true
			return asleep, true
		}
		// Resumed before its timer, with nothing thrown: a cancellation
		// woke it and was withdrawn before it ran.
		thrown = ErrCancelled
	}
	s.tm.Cancel()
	s.timed = false
	unwinding(t, thrown) // Loop.Close unwinds the body, as Awaiter.Step does
	s.err = thrown
	return nil, false
}

// Result returns Sleep's error and forgets it.
func (s *Sleeper) Result() error {
	err := s.err
	s.timed, s.started, s.err = false, false, nil
	return err
}
