package aio

import (
	"iter"
	"time"
)

// ReturnWhen says when Wait returns.
type ReturnWhen int

const (
	AllCompleted   ReturnWhen = iota // when every future is done
	FirstCompleted                   // when any future is done
	FirstException                   // when any future fails, or else when all are done
)

// String returns Python's name of the condition.
func (w ReturnWhen) String() string {
	switch w {
	case AllCompleted:
		return "ALL_COMPLETED"
	case FirstCompleted:
		return "FIRST_COMPLETED"
	case FirstException:
		return "FIRST_EXCEPTION"
	}
	return "ReturnWhen(?)"
}

// Wait suspends t until the futures or tasks fs satisfy when and returns
// those done and those pending, each in the order given (Python's
// asyncio.wait). It does not cancel anything: if t is cancelled it
// returns ErrCancelled and leaves fs running.
func Wait[F Waitable](t *Task, fs []F, when ReturnWhen) (done, pending []F, err error) {
	var a Waiting[F]
	a.Start(t, fs, when)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// WaitTimeout is Wait that also returns, without an error, once d has
// passed (Python's asyncio.wait with a timeout).
func WaitTimeout[F Waitable](t *Task, fs []F, when ReturnWhen, d time.Duration) (done, pending []F, err error) {
	var a Waiting[F]
	a.StartTimeout(t, fs, when, d)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// waiting is the subscriber of Wait: it resolves its waiter once the
// condition holds.
type waiting struct {
	waiter  fut
	when    ReturnWhen
	pending int
}

func (w *waiting) notify(f *fut) {
	w.pending--
	if w.waiter.done() {
		return
	}
	if w.pending == 0 || w.when == FirstCompleted || w.when == FirstException && f.state == fFinished && f.err != nil {
		w.waiter.resolve(nil, "")
	}
}

// Waiting is Wait and WaitTimeout as a resumable operation (see
// resume.go).
type Waiting[F Waitable] struct {
	fs   []F
	w    *waiting // while waiting
	seen map[*fut]bool
	tm   *Timer
	sw   signalWait
	err  error
}

// Start begins a Wait for fs in t.
func (a *Waiting[F]) Start(t *Task, fs []F, when ReturnWhen) { a.start(t, fs, when, -1) }

// StartTimeout begins a WaitTimeout for fs in t.
func (a *Waiting[F]) StartTimeout(t *Task, fs []F, when ReturnWhen, d time.Duration) {
	a.start(t, fs, when, max(d, 0))
}

func (a *Waiting[F]) start(t *Task, fs []F, when ReturnWhen, d time.Duration) {
	*a = Waiting[F]{fs: fs}
	if len(fs) == 0 {
		return
	}
	// As Python's, every future is watched, those done already too: the
	// condition is checked as their notifications come, in the turns
	// after they complete.
	w := &waiting{waiter: fut{loop: t.loop}, when: when}
	seen := make(map[*fut]bool, len(fs))
	for _, f := range fs {
		if b := f.base(); !seen[b] {
			seen[b] = true
			w.pending++
			b.subscribe(w)
		}
	}
	if d >= 0 {
		a.tm = t.loop.CallLater(d, func() {
			if !w.waiter.done() {
				w.waiter.resolve(nil, "")
			}
		})
	}
	a.w, a.seen, a.sw = w, seen, signalWait{&w.waiter}
}

// Step runs the operation on (see resume.go).
func (a *Waiting[F]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Waiting[F]) step(t *Task, thrown error) (Waitable, bool) {
	if a.w == nil {
		return nil, false
	}
	w, s, err := a.sw.step(t, thrown)
	if s {
		return w, true
	}
	if a.tm != nil {
		a.tm.Cancel()
	}
	for b := range a.seen {
		b.unsubscribe(a.w)
	}
	a.w, a.seen, a.tm, a.err = nil, nil, nil, err
	return nil, false
}

// Result returns Wait's results and forgets the operation.
func (a *Waiting[F]) Result() (done, pending []F, err error) {
	fs, err := a.fs, a.err
	*a = Waiting[F]{}
	if err != nil {
		return nil, nil, err
	}
	for _, f := range fs {
		if f.Done() {
			done = append(done, f)
		} else {
			pending = append(pending, f)
		}
	}
	return done, pending, nil
}

// completions is the subscriber of AsCompleted: it queues the futures as
// they complete and resolves the signal the iteration waits on, if it
// waits.
type completions struct {
	queue   []*fut
	sig     fut
	waiting bool
}

func (c *completions) notify(f *fut) {
	c.queue = append(c.queue, f)
	if c.waiting && !c.sig.done() {
		c.sig.resolve(nil, "")
	}
}

// AsCompleted yields the futures or tasks fs as they complete, those
// already done first (Python's asyncio.as_completed, iterated
// asynchronously as in Python 3.13): read each one's outcome with its
// Result or Err. A future given twice is yielded once. The loop between
// two items runs inside t and may suspend it. If t is cancelled while it
// waits for the next future, AsCompleted yields ErrCancelled (with a zero
// F) and stops; fs are not cancelled. Put it in a Timeout block for a
// time limit.
func AsCompleted[F Waitable](t *Task, fs []F) iter.Seq2[F, error] {
	return func(yield func(F, error) bool) {
		var a Completions[F]
		a.Start(t, fs)
		defer a.Stop(nil)
		for {
			for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
			}
			f, err, ok := a.Next()
			if !ok || !yield(f, err) {
				return
			}
		}
	}
}

// Completions is the iteration of AsCompleted as a resumable operation
// (see resume.go), for a lowered range loop over AsCompleted: Start as
// the loop begins; before each iteration, Step (which suspends until a
// future is done) and Next, which gives the iteration's values or reports
// the end; Stop where the loop ends, however it ends (a break, a return,
// a panic).
type Completions[F Waitable] struct {
	byFut     map[*fut]F
	order     []*fut
	c         *completions
	remaining int
	err       error // to deliver, then the iteration ends
}

// Start begins iterating over fs as they complete, in t.
func (a *Completions[F]) Start(t *Task, fs []F) {
	*a = Completions[F]{byFut: make(map[*fut]F, len(fs))}
	for _, f := range fs {
		b := f.base()
		if _, dup := a.byFut[b]; dup {
			continue
		}
		a.byFut[b] = f
		a.order = append(a.order, b)
	}
	// As Python's, every future is watched, those done already too: each
	// is queued in the turn after it completes.
	a.c = &completions{}
	for _, b := range a.order {
		b.subscribe(a.c)
	}
	a.remaining = len(a.order)
}

// Step waits until the next future is done, if there is one (see
// resume.go).
func (a *Completions[F]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *Completions[F]) step(t *Task, thrown error) (Waitable, bool) {
	c := a.c
	if c == nil || a.remaining == 0 {
		return nil, false
	}
	if c.waiting {
		c.waiting = false
		if thrown == nil && c.sig.state == fCancelled {
			thrown = ErrCancelled
		}
		if thrown != nil {
			a.err, a.remaining = thrown, 0
			return nil, false
		}
	}
	if len(c.queue) > 0 {
		return nil, false
	}
	c.sig, c.waiting = fut{loop: t.loop}, true
	return (*signal)(&c.sig), true
}

// Next returns the next future done, or the error that ends the
// iteration (ErrCancelled, with a zero F); ok is false at the end.
func (a *Completions[F]) Next() (f F, err error, ok bool) {
	if a.err != nil {
		err, a.err = a.err, nil
		return f, err, true
	}
	if a.c == nil || a.remaining == 0 {
		return f, nil, false
	}
	b := a.c.queue[0]
	a.c.queue = a.c.queue[1:]
	a.remaining--
	return a.byFut[b], nil, true
}

// Stop ends the iteration: the futures are no longer watched. Its
// argument is ignored (it is the stop function of a lowered range loop,
// which receives the panic that ends the loop, if one does).
func (a *Completions[F]) Stop(any) {
	if a.c != nil {
		for _, b := range a.order {
			b.unsubscribe(a.c)
		}
	}
	*a = Completions[F]{}
}

// shielding copies the inner future's outcome to the outer one, unless
// the outer one was cancelled.
type shielding[R any] struct {
	inner result[R]
	outer *Future[R]
}

func (s *shielding[R]) notify(*fut) {
	if s.outer.Done() {
		return // the shield was cancelled: the outcome is the inner one's own
	}
	b := s.inner.base()
	switch {
	case b.state == fCancelled:
		s.outer.Cancel()
	case b.err != nil:
		s.outer.SetErr(b.retrieve())
	default:
		s.outer.SetResult(s.inner.value())
	}
}

// Shield awaits a while protecting it from cancellation (Python's
// asyncio.shield): if t is cancelled, Shield returns ErrCancelled but a
// (scheduled as a task if it is a coroutine) carries on. Cancelling a
// itself still cancels it, and t then gets ErrCancelled.
func Shield[R any](t *Task, a Awaitable[R]) (R, error) {
	var s Shielding[R]
	s.Start(t, a)
	for w, ok := s.step(t, nil); ok; w, ok = s.step(t, suspendOn(t, w)) {
	}
	return s.Result()
}

// Shielding is Shield as a resumable operation (see resume.go).
type Shielding[R any] struct{ rw resultWait[R] }

// Start begins a Shield of x in t.
func (s *Shielding[R]) Start(t *Task, x Awaitable[R]) {
	inner := x.ensure(t.loop, nil)
	if inner.Done() {
		s.rw = resultWait[R]{x: inner}
		return
	}
	outer := NewFuture[R](t.loop)
	inner.base().subscribe(&shielding[R]{inner, outer})
	s.rw = resultWait[R]{x: outer}
}

// Step runs the operation on (see resume.go).
func (s *Shielding[R]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return s.step(t, thrown)
}

func (s *Shielding[R]) step(t *Task, thrown error) (Waitable, bool) { return s.rw.step(t, thrown) }

// Result returns Shield's results and forgets the operation.
func (s *Shielding[R]) Result() (R, error) {
	r, err := s.rw.r, s.rw.err
	*s = Shielding[R]{}
	return r, err
}
