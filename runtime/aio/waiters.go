package aio

// waiter is one task waiting in a synchronization primitive: a future
// that the primitive resolves to wake it, linked in the primitive's list.
type waiter struct {
	f          fut
	prev, next *waiter
	in         *waitList
}

// waitList is a FIFO list of waiters (Python's deque of futures), bound
// to the loop of its first waiter.
type waitList struct {
	head, tail *waiter
	n          int
	loop       *Loop
}

func (q *waitList) push(l *Loop) *waiter {
	w := &waiter{f: fut{loop: l}, prev: q.tail, in: q}
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	q.n++
	return w
}

// remove unlinks w if it is still in q.
func (q *waitList) remove(w *waiter) {
	if w.in != q {
		return
	}
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.prev, w.next, w.in = nil, nil, nil
	q.n--
}

// woken reports whether a waiter left by wait was resolved: woken by the
// primitive, whatever happened to its task afterwards.
func (w *waiter) woken() bool { return w != nil && w.f.state == fFinished }

// wake resolves up to n waiters that are not done, first come first,
// leaving them in the list, and returns how many it resolved.
func (q *waitList) wake(n int) int {
	woken := 0
	for w := q.head; w != nil && woken < n; w = w.next {
		if !w.f.done() {
			w.f.resolve(nil, "")
			woken++
		}
	}
	return woken
}

// wakeFirst resolves the first waiter if it is not done (Python's
// Lock._wake_up_first). A first waiter already done, woken or cancelled,
// will run and either take what it was woken for or, not taking it, call
// wakeFirst again: waking a waiter behind it instead would let two tasks
// take what only one can have.
func (q *waitList) wakeFirst() {
	if w := q.head; w != nil && !w.f.done() {
		w.f.resolve(nil, "")
	}
}

// popWake removes waiters from the front until it resolves one that is
// not done (Python's Queue._wakeup_next).
func (q *waitList) popWake() {
	for q.head != nil {
		w := q.head
		q.remove(w)
		if !w.f.done() {
			w.f.resolve(nil, "")
			return
		}
	}
}

// live reports whether some waiter is not cancelled.
func (q *waitList) live() bool {
	for w := q.head; w != nil; w = w.next {
		if w.f.state != fCancelled {
			return true
		}
	}
	return false
}
