package aio

import "time"

// TimeoutScope is the deadline of a Timeout or TimeoutAt block: Python's
// asyncio.Timeout. Its methods must be called from the task running the
// block.
type TimeoutScope struct {
	t          *Task
	when       time.Time // zero: no deadline
	timer      *Timer
	cancelling int // the task's cancellation requests on entry
	expiring   bool
	exited     bool
}

// Timeout runs f, cancelling the task t if f has not returned after d
// (Python's async with asyncio.timeout(d)). If that cancellation is what
// ends f, Timeout returns ErrTimeout instead of f's ErrCancelled, and t
// is not left cancelled; otherwise it returns f's error. A cancellation
// of t from elsewhere still comes out as ErrCancelled. f receives the
// scope, to read or move the deadline.
func Timeout(t *Task, d time.Duration, f func(s *TimeoutScope) error) error {
	return TimeoutAt(t, t.loop.Now().Add(d), f)
}

// TimeoutAt is Timeout with a deadline on the loop's clock (see
// Loop.Now); the zero time means no deadline, which f may set later with
// Reschedule.
//
// A panic (or runtime.Goexit) leaving f ends the block on its way out, as
// Python's __aexit__ does for an exception: the deadline is disarmed and an
// expired one's cancellation withdrawn. The block is a TimeoutBlock, the
// operation a lowered async body drives (scope.go).
func TimeoutAt(t *Task, when time.Time, f func(s *TimeoutScope) error) error {
	var op TimeoutBlock
	op.StartAt(t, when)
	defer op.Stop(nil) // a panic: nothing once Exit ran
	op.Exit(t, f(op.Scope()))
	return op.Result()
}

// enterTimeout begins a Timeout block of t: what both modes of WaitFor
// share with it.
func enterTimeout(t *Task, when time.Time) *TimeoutScope {
	s := &TimeoutScope{t: t, cancelling: t.Cancelling()}
	s.Reschedule(when)
	return s
}

// When returns the deadline, or the zero time if there is none.
func (s *TimeoutScope) When() time.Time { return s.when }

// Expired reports whether the deadline passed and the task was cancelled
// for it.
func (s *TimeoutScope) Expired() bool { return s.expiring }

// Reschedule moves the deadline to when (the zero time removes it). It
// does nothing once the block has ended or the deadline has passed.
func (s *TimeoutScope) Reschedule(when time.Time) {
	if s.exited || s.expiring {
		return
	}
	if s.timer != nil {
		s.timer.Cancel()
		s.timer = nil
	}
	s.when = when
	if when.IsZero() {
		return
	}
	l := s.t.loop
	if !when.After(l.Now()) {
		s.timer = l.callSoon(s.expire)
		return
	}
	s.timer = l.CallAt(when, s.expire)
}

func (s *TimeoutScope) expire() {
	s.timer = nil
	s.expiring = true
	s.t.cancel()
}

func (s *TimeoutScope) exit(err error) error {
	if s.timer != nil {
		s.timer.Cancel()
		s.timer = nil
	}
	s.exited = true
	if s.expiring && s.t.Uncancel() <= s.cancelling && isCancel(err) {
		return ErrTimeout
	}
	return err
}

// WaitFor awaits a with a time limit (Python's asyncio.wait_for): if a is
// not done after d it is cancelled (a coroutine, run inside t, receives
// ErrCancelled at its await point) and, once it has finished cancelling,
// WaitFor returns ErrTimeout. If a carries on despite the cancellation
// and returns a result, WaitFor returns that. With d <= 0, a that is not
// done at once is cancelled without running.
func WaitFor[R any](t *Task, a Awaitable[R], d time.Duration) (R, error) {
	if d > 0 {
		// The await runs a coroutine inside t, as Await does: only the
		// time limit is the operation's.
		var r R
		err := Timeout(t, d, func(*TimeoutScope) error {
			var err error
			r, err = a.await(t)
			return err
		})
		if err != nil {
			var zero R
			return zero, err
		}
		return r, nil
	}
	var op WaitingFor[R]
	op.Start(t, a, d)
	for w, s := op.step(t, nil); s; w, s = op.step(t, suspendOn(t, w)) {
	}
	return op.Result()
}

// WaitingFor is WaitFor as a resumable operation (see resume.go). With
// d > 0 it is an Awaiter inside a Timeout block: the lowered await of a
// direct-mode coroutine runs it as a task, as Awaiter does. With d <= 0,
// the awaitable, if not done, is cancelled and waited for; a
// cancellation is then ErrTimeout, the direct-mode function's own path.
type WaitingFor[R any] struct {
	scope *TimeoutScope // d > 0
	aw    Awaiter[R]
	x     result[R] // d <= 0, while waiting
	r     R
	err   error
}

// Start begins awaiting a in t with a time limit of d.
func (op *WaitingFor[R]) Start(t *Task, a Awaitable[R], d time.Duration) {
	*op = WaitingFor[R]{}
	if d > 0 {
		op.scope = enterTimeout(t, t.loop.Now().Add(d))
		op.aw.Start(t, a)
		return
	}
	f := a.ensure(t.loop, nil)
	if !f.Done() {
		f.Cancel()
	}
	op.x = f
}

// Step runs the operation on (see resume.go).
func (op *WaitingFor[R]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	if op.scope == nil {
		unwinding(t, thrown) // else the Awaiter unwinds what it runs inline first
	}
	return op.step(t, thrown)
}

func (op *WaitingFor[R]) step(t *Task, thrown error) (Waitable, bool) {
	if op.scope != nil {
		if w, s := op.aw.Step(t, thrown); s { // only a lowered body has a scope
			return w, true
		}
		r, err := op.aw.Result()
		if err = op.scope.exit(err); err == nil {
			op.r = r
		}
		op.scope, op.err = nil, err
		return nil, false
	}
	f := op.x
	if f == nil {
		return nil, false
	}
	if thrown == nil && !f.Done() {
		if thrown = waitErr(t, f.base()); thrown == nil {
			return f, true
		}
	}
	op.x = nil
	switch {
	case thrown != nil:
		op.err = thrown
	default:
		if op.err = f.base().retrieve(); isCancel(op.err) {
			op.err = ErrTimeout
		} else if op.err == nil {
			op.r = f.value()
		}
	}
	return nil, false
}

// Result returns WaitFor's results and forgets the operation.
func (op *WaitingFor[R]) Result() (R, error) {
	r, err := op.r, op.err
	*op = WaitingFor[R]{}
	return r, err
}
