package aio

import "iter"

// Coroutine is a coroutine object: the suspended call of an async
// function, made by Async (direct mode) or FromMachine (a lowered body).
// Creating one runs nothing. It runs once: awaited inside a task, where
// its body runs as part of that task, or scheduled as a task of its own
// by CreateTask. Awaiting it a second time fails with ErrCoroutineReused.
type Coroutine[R any] struct {
	// m is the body: the state machine of a lowered one, or the function
	// of a direct-mode one as a directFunc. One field for both keeps a
	// lowered machine, which holds its coroutine, a size class smaller.
	m Machine[R]
	// track is spent once the coroutine ran (or was closed); before,
	// it is set while never-awaited coroutines are tracked. One word
	// for both, for the same reason.
	track *coroTrack
}

// spent is the track of a coroutine that ran: a variable, not a heap
// object, so that the write barrier marking a coroutine spent while the
// GC marks has nothing to shade.
var spent = &spentTrack

var spentTrack coroTrack

// directFunc is the body of a coroutine made by Async, as Coroutine.m
// holds it (a func converts to an interface without allocating). It is
// never stepped: a direct-mode body runs on a stack of its own (see
// Handle.run, Coroutine.await and directAwait).
type directFunc[R any] func(t *Task) (R, error)

// Step implements Machine only so that a directFunc fits Coroutine.m; it
// is never called.
func (directFunc[R]) Step(*Task, error) (Waitable, bool, R, error) {
	panic("aio: a direct-mode coroutine body stepped as a machine")
}

// fn returns c's direct-mode body, nil for a lowered one.
func (c *Coroutine[R]) fn() func(t *Task) (R, error) {
	f, _ := c.m.(directFunc[R])
	return f
}

// Async returns a coroutine object whose body is f, run in direct mode:
// on its own stack, so that it may suspend anywhere by passing t to a
// suspending call. It is what an async function returns:
//
//	func Fetch(url string) *aio.Coroutine[[]byte] {
//		return aio.Async(func(t *aio.Task) ([]byte, error) {
//			...
//		})
//	}
//
// Calling Fetch runs nothing (Python's coroutine objects); the body runs
// when the coroutine is awaited or scheduled.
func Async[R any](f func(t *Task) (R, error)) *Coroutine[R] {
	c := new(Coroutine[R])
	if tracking.Load() != nil {
		c.track = trackCoroutine(c, f) // before m is set: it names f
	}
	c.m = directFunc[R](f)
	return c
}

// Close discards a coroutine that will not be run, so that it is not
// reported as never awaited (Python's coroutine.close on an unstarted
// coroutine). It has no effect on a coroutine already run.
func (c *Coroutine[R]) Close() { c.claim() }

// claim marks c as run and reports whether it was not run before.
func (c *Coroutine[R]) claim() bool {
	tr := c.track
	if tr == spent {
		return false
	}
	if tr != nil {
		tr.awaited.Store(true)
	}
	c.track = spent
	return true
}

// name names the coroutine's function, for messages.
func (c *Coroutine[R]) name() string {
	if f := c.fn(); f != nil {
		return funcName(f)
	}
	return machineName(c.m)
}

// AnyAwaitable is an Awaitable of any result type: a *Coroutine[R],
// *Handle[R] or *Future[R]. Loop.RunUntilComplete takes one.
type AnyAwaitable interface {
	// waitable returns the future to wait for: a coroutine is scheduled
	// as a task on l, the others are their own future.
	waitable(l *Loop, opts []TaskOption) Waitable
}

// AnyCoroutine is a *Coroutine[R] of any result type: what
// Loop.CreateTask and TaskGroup.CreateTask schedule when the result type
// does not matter.
type AnyCoroutine interface {
	AnyAwaitable
	spawn(l *Loop, opts []TaskOption) Waitable
}

// Awaitable is anything a task can await for a result of type R: a
// coroutine (*Coroutine[R]), a task (*Handle[R]) or a future
// (*Future[R]). Python's awaitables.
type Awaitable[R any] interface {
	AnyAwaitable
	// await suspends t until the awaitable is done and returns its
	// outcome.
	await(t *Task) (R, error)
	// ensure returns the awaitable as a future, scheduling a coroutine as
	// a task on l (Python's ensure_future).
	ensure(l *Loop, opts []TaskOption) result[R]
	// spent reports whether it is a coroutine that already ran.
	spent() bool
}

// Await suspends the task t until a is done and returns its result and
// error (Python's await). A coroutine runs inside t, as a plain call
// would, except that it may suspend t; a task or future is waited for.
// If t is cancelled meanwhile, Await returns ErrCancelled; an awaited task
// or future is cancelled too (see Handle.Cancel). An await that could
// never finish, because the tasks involved await each other, returns a
// *DeadlockError at once.
func Await[R any](t *Task, a Awaitable[R]) (R, error) { return a.await(t) }

func (c *Coroutine[R]) await(t *Task) (R, error) {
	if !c.claim() {
		var zero R
		return zero, ErrCoroutineReused
	}
	if f, ok := c.m.(directFunc[R]); ok {
		return f(t)
	}
	return runMachine(t, c.m)
}

func (c *Coroutine[R]) ensure(l *Loop, opts []TaskOption) result[R] { return newHandle(l, c, opts) }
func (c *Coroutine[R]) waitable(l *Loop, opts []TaskOption) Waitable {
	return newHandle(l, c, opts)
}
func (c *Coroutine[R]) spawn(l *Loop, opts []TaskOption) Waitable { return newHandle(l, c, opts) }
func (c *Coroutine[R]) spent() bool                               { return c.track == spent }

// awaitResult waits for x in t and returns its outcome.
func awaitResult[R any](t *Task, x result[R]) (R, error) {
	a := resultWait[R]{x: x}
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.r, a.err
}

// awaitFut parks t until f is done, unless f is done already.
func awaitFut(t *Task, f *fut) error {
	if f.done() {
		return nil
	}
	if err := waitErr(t, f); err != nil {
		return err
	}
	return t.waitOn(f)
}

// waitErr says why t cannot wait on the pending future f, if it cannot:
// f belongs to another loop, or the wait would close a cycle.
func waitErr(t *Task, f *fut) error {
	if f.loop != t.loop {
		return ErrDifferentLoop
	}
	return checkCycle(t, f)
}

// checkCycle returns a *DeadlockError if t waiting on f would close a
// cycle of tasks waiting on each other.
func checkCycle(t *Task, f *fut) error {
	var cycle []*Task
	for g := f; g != nil; {
		u, ok := g.ctl.(*Task)
		if !ok {
			return nil
		}
		cycle = append(cycle, u)
		if u == t {
			names := make([]string, len(cycle))
			names[0] = t.Name()
			for i, c := range cycle[:len(cycle)-1] {
				names[i+1] = c.Name()
			}
			return &DeadlockError{Cycle: names}
		}
		if !u.parked {
			return nil
		}
		g = u.waitFut
	}
	return nil
}

// runner is a stackful coroutine that runs direct-mode task bodies, one
// after another: the Go runtime's coroutine switch (the one iter.Pull
// uses) hands control between the loop and the body. A loop keeps its
// idle runners, so that a task costs no goroutine creation.
type runner struct {
	loop    *Loop
	next    func() (struct{}, bool)
	stop    func()
	yield   func(struct{}) bool
	task    *Task
	job     func(t *Task) // run instead of the task's body, see directAwait
	closing bool          // the loop is closing: unwind, do not suspend again
	goid    uint64        // the runner's goroutine, for debug reports
}

// getRunner returns an idle runner, or a new one.
func (l *Loop) getRunner() *runner {
	if n := len(l.idle); n > 0 {
		r := l.idle[n-1]
		l.idle[n-1] = nil
		l.idle = l.idle[:n-1]
		return r
	}
	r := &runner{loop: l}
	r.next, r.stop = iter.Pull(r.run)
	return r
}

// run is the runner's coroutine body: it runs its task's body, goes back
// to the loop's idle runners and waits for the next task.
//
//go:noinline
func (r *runner) run(yield func(struct{}) bool) {
	r.yield = yield
	if r.loop.debug {
		r.goid = curGoid()
	}
	for {
		t := r.task
		if job := r.job; job != nil {
			r.job = nil
			job(t)
		} else {
			t.runBody()
		}
		t.runner, r.task = nil, nil
		if r.closing {
			return
		}
		r.loop.idle = append(r.loop.idle, r)
		if !yield(struct{}{}) {
			return
		}
	}
}
