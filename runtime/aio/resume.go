package aio

// Resumable operations: every call that suspends a task (Lock.Acquire,
// Queue.Get, Gather, StreamReader.ReadLine, ...) is written once, as an
// operation that a direct-mode body and a lowered one both drive:
//
//	Start(t, args...)       begins it; it may finish at once
//	Step(t, thrown)         runs it on: (w, true) to suspend on w, or
//	                        (nil, false) once it is over
//	Result()                its results, as the direct-mode call returns them
//
// Step is called once after Start with thrown nil, then at each
// resumption, with the error the task delivers there (ErrCancelled, or the
// error of a wait that could not start), as Machine.Step is. An operation
// suspends only on a pending future (or on nil, to yield one turn), so that
// both kinds of body take the same turns: the direct-mode function drives
// the operation with drive's loop, parking the task's stack on w; a
// lowered body returns w from its Step (see Awaiter). The cancellation
// clean-up of a primitive (passing on a wakeup it may have had, putting a
// slot back) is the operation's own, so it is the same in both modes.
//
// The exported operation types are the contract of the asyncgo rewriter:
// it makes one field of the type per resume point of a lowered body and
// emits Start, a Step at the resume point and Result, as for Awaiter. Their
// Step unwinds a lowered body when the loop closes (see unwinding); their
// unexported step is what the direct-mode functions drive. Each holds
// what the direct-mode call keeps on its stack, so a lowered call
// allocates what the direct one does.

// signal is one of the runtime's own futures (a waiter's, a Gather's
// outer future, a connection's closing) as the Waitable an operation
// suspends on: cancelling the task parked on it cancels it, as in direct
// mode.
type signal fut

func (s *signal) Done() bool      { return (*fut)(s).done() }
func (s *signal) Cancelled() bool { return s.state == fCancelled }
func (s *signal) Cancel() bool    { return (*fut)(s).cancel() }
func (s *signal) Err() error {
	if s.state == fPending {
		return nil
	}
	return (*fut)(s).retrieve()
}
func (s *signal) base() *fut                            { return (*fut)(s) }
func (s *signal) waitable(*Loop, []TaskOption) Waitable { return s }

// unwinding unwinds a lowered body whose loop is closing: Loop.Close steps
// a suspended body once with ErrCancelled so that its defers run, with the
// panic a direct-mode body unwinds with. ErrLoopClosed, which fails each
// later suspension of a body that carried on (see Machine), is thrown in
// as an error, as a direct-mode suspending call returns it.
func unwinding(t *Task, thrown error) {
	if thrown != nil && thrown != ErrLoopClosed && t.loop.closed.Load() {
		panic(errUnwind)
	}
}

// suspendOn parks a direct-mode task on what an operation suspends on
// and returns what is thrown at the resumption.
func suspendOn(t *Task, w Waitable) error {
	if w == nil {
		return t.yield()
	}
	return awaitFut(t, w.base())
}

// signalWait is the wait for one of the runtime's own futures, which
// only signals (it has no outcome to read), as an operation: its error
// is ErrCancelled if the future was cancelled. A wait that cannot start
// (another loop's future) fails without suspending, as awaitFut does.
type signalWait struct{ f *fut }

// step returns what to suspend on, or, once over, the wait's error.
func (s *signalWait) step(t *Task, thrown error) (w Waitable, suspend bool, err error) {
	f := s.f
	if thrown == nil && !f.done() {
		if err := waitErr(t, f); err != nil {
			return nil, false, err
		}
		return (*signal)(f), true, nil
	}
	switch {
	case thrown != nil:
		return nil, false, thrown
	case f.state == fCancelled:
		return nil, false, ErrCancelled
	}
	return nil, false, nil
}

// resultWait is awaitResult as an operation: the wait for a task or
// future whose outcome it then reads.
type resultWait[R any] struct {
	x   result[R]
	r   R
	err error
}

// step runs the wait on; once it is over, r and err hold the outcome.
func (a *resultWait[R]) step(t *Task, thrown error) (w Waitable, suspend bool) {
	if a.x == nil {
		return nil, false
	}
	f := a.x.base()
	if thrown != nil {
		a.x, a.err = nil, thrown
		return nil, false
	}
	if !f.done() {
		if err := waitErr(t, f); err != nil {
			a.x, a.err = nil, err
			return nil, false
		}
		return a.x, true
	}
	if a.err = f.retrieve(); a.err == nil {
		a.r = a.x.value()
	}
	a.x = nil
	return nil, false
}

// parking is the wait of one waiter parked at the end of a primitive's
// list, as an operation, until the primitive resolves it or the task is
// cancelled; the waiter is out of the list once the wait is over (its
// state tells whether it was resolved).
type parking struct {
	q  *waitList
	w  *waiter
	sw signalWait
}

// begin queues a waiter at the end of q; it fails if q belongs to
// another loop.
func (p *parking) begin(t *Task, q *waitList) error {
	if q.loop == nil {
		q.loop = t.loop
	} else if q.loop != t.loop {
		return ErrDifferentLoop
	}
	p.q, p.w = q, q.push(t.loop)
	p.sw = signalWait{&p.w.f}
	return nil
}

// step returns what to suspend on or, once the wait is over, the waiter
// (to tell whether it was woken) and the wait's error.
func (p *parking) step(t *Task, thrown error) (w Waitable, suspend bool, left *waiter, err error) {
	if w, suspend, err = p.sw.step(t, thrown); suspend {
		return w, true, nil, nil
	}
	left = p.w
	p.q.remove(left)
	*p = parking{}
	return nil, false, left, err
}
