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
func TimeoutAt(t *Task, when time.Time, f func(s *TimeoutScope) error) error {
	s := &TimeoutScope{t: t, cancelling: t.Cancelling()}
	s.Reschedule(when)
	return s.exit(f(s))
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
	var zero R
	if d <= 0 {
		f := a.ensure(t.loop, nil)
		if !f.Done() {
			f.Cancel()
			if err := awaitFut(t, f.base()); err != nil {
				return zero, err
			}
		}
		if err := f.base().retrieve(); err != nil {
			if isCancel(err) {
				err = ErrTimeout
			}
			return zero, err
		}
		return f.value(), nil
	}
	var r R
	err := Timeout(t, d, func(*TimeoutScope) error {
		var err error
		r, err = a.await(t)
		return err
	})
	if err != nil {
		return zero, err
	}
	return r, nil
}
