package aio

// The waits of the synchronization primitives as resumable operations
// (see resume.go): the direct-mode methods drive them, lowered bodies
// step them.

// LockAcquire is Lock.Acquire and Condition.Acquire as a resumable
// operation. A wait that fails passes on a wakeup it may have had, so
// that the lock is not left free with tasks waiting for it.
type LockAcquire struct {
	l   *Lock // while waiting
	p   parking
	err error
}

// Start begins acquiring l in t.
func (a *LockAcquire) Start(t *Task, l *Lock) {
	*a = LockAcquire{}
	if !l.locked && !l.waiters.live() {
		l.locked = true
		return
	}
	if err := a.p.begin(t, &l.waiters); err != nil {
		a.fail(l, err)
		return
	}
	a.l = l
}

// StartCondition begins acquiring c's lock in t (Condition.Acquire).
func (a *LockAcquire) StartCondition(t *Task, c *Condition) { a.Start(t, c.lock) }

func (a *LockAcquire) fail(l *Lock, err error) {
	if !l.locked {
		l.waiters.wakeFirst() // pass on a wakeup we may have had
	}
	a.err = err
}

// Step runs the operation on (see resume.go).
func (a *LockAcquire) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *LockAcquire) step(t *Task, thrown error) (Waitable, bool) {
	if a.l == nil {
		return nil, false
	}
	w, s, _, err := a.p.step(t, thrown)
	if s {
		return w, true
	}
	l := a.l
	a.l = nil
	if err != nil {
		a.fail(l, err)
	} else {
		l.locked = true
	}
	return nil, false
}

// Result returns Acquire's error and forgets the operation.
func (a *LockAcquire) Result() error {
	err := a.err
	*a = LockAcquire{}
	return err
}

// ConditionWait is Condition.Wait and Condition.WaitFor as a resumable
// operation: release the lock, wait to be notified, acquire the lock
// again even when cancelled meanwhile, and notify the next waiter if the
// wait failed (see Condition.Wait).
type ConditionWait struct {
	c     *Condition
	pred  func() bool // WaitFor's
	phase condPhase
	p     parking
	acq   LockAcquire
	err   error
}

type condPhase uint8

const (
	condDone condPhase = iota
	condWaiting
	condAcquiring
)

// Start begins a Wait on c in t; t must hold c's lock.
func (a *ConditionWait) Start(t *Task, c *Condition) {
	*a = ConditionWait{c: c}
	a.wait(t)
}

// StartFor begins a WaitFor on c in t: waiting until predicate returns
// true, checked first and after each notification with the lock held.
func (a *ConditionWait) StartFor(t *Task, c *Condition, predicate func() bool) {
	*a = ConditionWait{c: c, pred: predicate}
	if !predicate() {
		a.wait(t)
	}
}

// wait begins one Wait.
func (a *ConditionWait) wait(t *Task) {
	c := a.c
	if !c.lock.locked {
		panic("aio: Condition.Wait without the lock")
	}
	c.lock.Release()
	a.phase = condWaiting
	if err := a.p.begin(t, &c.waiters); err != nil {
		a.err = err
		a.acquire(t)
	}
}

func (a *ConditionWait) acquire(t *Task) {
	a.phase = condAcquiring
	a.acq.Start(t, a.c.lock)
}

// Step runs the operation on (see resume.go).
func (a *ConditionWait) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *ConditionWait) step(t *Task, thrown error) (Waitable, bool) {
	for {
		switch a.phase {
		case condDone:
			return nil, false
		case condWaiting:
			w, s, _, err := a.p.step(t, thrown)
			if s {
				return w, true
			}
			a.err = err
			a.acquire(t)
		case condAcquiring:
			w, s := a.acq.step(t, thrown)
			if s {
				return w, true
			}
			if aerr := a.acq.Result(); aerr != nil {
				a.err = aerr
				if isCancel(aerr) {
					a.acquire(t) // the lock is had again even when cancelled
					thrown = nil
					continue
				} // else the loop is closing: the lock cannot be had
			}
			switch {
			case a.err != nil:
				a.c.waiters.wake(1)
				a.phase = condDone
			case a.pred != nil && !a.pred():
				a.wait(t)
			default:
				a.phase = condDone
			}
		}
		thrown = nil
	}
}

// Result returns Wait's (or WaitFor's) error and forgets the operation.
func (a *ConditionWait) Result() error {
	err := a.err
	*a = ConditionWait{}
	return err
}

// SemaphoreAcquire is Semaphore.Acquire and BoundedSemaphore.Acquire as
// a resumable operation. A wait that fails after it was woken puts the
// slot back, and a waiter wakes as many of those queued behind it as
// there are free slots.
type SemaphoreAcquire struct {
	s   *Semaphore // while waiting
	p   parking
	err error
}

// Start begins taking a slot of s in t.
func (a *SemaphoreAcquire) Start(t *Task, s *Semaphore) {
	*a = SemaphoreAcquire{}
	if !s.Locked() {
		s.value--
		return
	}
	if err := a.p.begin(t, &s.waiters); err != nil {
		a.finish(s, nil, err)
		return
	}
	a.s = s
}

// StartBounded begins taking a slot of b in t.
func (a *SemaphoreAcquire) StartBounded(t *Task, b *BoundedSemaphore) { a.Start(t, &b.s) }

func (a *SemaphoreAcquire) finish(s *Semaphore, w *waiter, err error) {
	if err != nil && w.woken() {
		s.value++ // woken with a slot we are not taking
	}
	// Waiters that came meanwhile had to queue: wake as many as fit.
	s.value -= s.waiters.wake(s.value)
	a.err = err
}

// Step runs the operation on (see resume.go).
func (a *SemaphoreAcquire) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *SemaphoreAcquire) step(t *Task, thrown error) (Waitable, bool) {
	if a.s == nil {
		return nil, false
	}
	w, s, left, err := a.p.step(t, thrown)
	if s {
		return w, true
	}
	sem := a.s
	a.s = nil
	a.finish(sem, left, err)
	return nil, false
}

// Result returns Acquire's error and forgets the operation.
func (a *SemaphoreAcquire) Result() error {
	err := a.err
	*a = SemaphoreAcquire{}
	return err
}

// EventWait is Event.Wait as a resumable operation.
type EventWait struct {
	waiting bool
	p       parking
	err     error
}

// Start begins waiting for e in t.
func (a *EventWait) Start(t *Task, e *Event) {
	*a = EventWait{}
	if e.set {
		return
	}
	if a.err = a.p.begin(t, &e.waiters); a.err == nil {
		a.waiting = true
	}
}

// Step runs the operation on (see resume.go).
func (a *EventWait) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *EventWait) step(t *Task, thrown error) (Waitable, bool) {
	if !a.waiting {
		return nil, false
	}
	w, s, _, err := a.p.step(t, thrown)
	if s {
		return w, true
	}
	a.waiting, a.err = false, err
	return nil, false
}

// Result returns Wait's error and forgets the operation.
func (a *EventWait) Result() error {
	err := a.err
	*a = EventWait{}
	return err
}
