package aio

// Queue's waits as resumable operations (see resume.go).

// QueueGet is Queue.Get as a resumable operation. A getter that fails
// after it was woken for an item passes the wakeup on.
type QueueGet[T any] struct {
	q   *Queue[T] // until it is over
	p   parking
	v   T
	err error
}

// Start begins taking an item of q in t.
func (a *QueueGet[T]) Start(t *Task, q *Queue[T]) {
	*a = QueueGet[T]{q: q}
	a.next(t)
}

// next takes an item, or queues to wait for one.
func (a *QueueGet[T]) next(t *Task) {
	q := a.q
	if !q.Empty() {
		a.v, a.err = q.GetNowait()
		a.q = nil
		return
	}
	if err := a.p.begin(t, &q.getters); err != nil {
		a.fail(nil, err)
	}
}

func (a *QueueGet[T]) fail(w *waiter, err error) {
	if q := a.q; !q.Empty() && w.woken() {
		q.getters.popWake() // woken for an item we are not taking
	}
	a.q, a.err = nil, err
}

// Step runs the operation on (see resume.go).
func (a *QueueGet[T]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *QueueGet[T]) step(t *Task, thrown error) (Waitable, bool) {
	for a.q != nil {
		w, s, left, err := a.p.step(t, thrown)
		if s {
			return w, true
		}
		if err != nil {
			a.fail(left, err)
			break
		}
		thrown = nil
		a.next(t)
	}
	return nil, false
}

// Result returns Get's results and forgets the operation.
func (a *QueueGet[T]) Result() (T, error) {
	v, err := a.v, a.err
	*a = QueueGet[T]{}
	return v, err
}

// QueuePut is Queue.Put as a resumable operation. A putter that fails
// after it was woken for room passes the wakeup on.
type QueuePut[T any] struct {
	q   *Queue[T] // until it is over
	v   T
	p   parking
	err error
}

// Start begins putting v in q in t.
func (a *QueuePut[T]) Start(t *Task, q *Queue[T], v T) {
	*a = QueuePut[T]{q: q, v: v}
	a.next(t)
}

// next puts the item, or queues to wait for room.
func (a *QueuePut[T]) next(t *Task) {
	q := a.q
	if !q.Full() {
		a.err = q.PutNowait(a.v)
		a.finish()
		return
	}
	if err := a.p.begin(t, &q.putters); err != nil {
		a.fail(nil, err)
	}
}

func (a *QueuePut[T]) finish() {
	var zero T
	a.q, a.v = nil, zero
}

func (a *QueuePut[T]) fail(w *waiter, err error) {
	if q := a.q; !q.Full() && w.woken() {
		q.putters.popWake() // woken with room we are not taking
	}
	a.err = err
	a.finish()
}

// Step runs the operation on (see resume.go).
func (a *QueuePut[T]) Step(t *Task, thrown error) (w Waitable, suspend bool) {
	unwinding(t, thrown)
	return a.step(t, thrown)
}

func (a *QueuePut[T]) step(t *Task, thrown error) (Waitable, bool) {
	for a.q != nil {
		w, s, left, err := a.p.step(t, thrown)
		if s {
			return w, true
		}
		if err != nil {
			a.fail(left, err)
			break
		}
		thrown = nil
		a.next(t)
	}
	return nil, false
}

// Result returns Put's error and forgets the operation.
func (a *QueuePut[T]) Result() error {
	err := a.err
	*a = QueuePut[T]{}
	return err
}

// QueueJoin is Queue.Join as a resumable operation: a wait for the
// queue's event of every item done.
type QueueJoin[T any] struct{ EventWait }

// Start begins waiting in t until every item put in q is done.
func (a *QueueJoin[T]) Start(t *Task, q *Queue[T]) {
	a.EventWait = EventWait{}
	if q.unfinished > 0 {
		a.EventWait.Start(t, &q.finished)
	}
}
