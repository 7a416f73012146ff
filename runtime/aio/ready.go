package aio

// entry is one item of the ready queue: s, notified of f. s is a task to
// step (*Task), a callback (callFn), a due Timer, or a done callback.
type entry struct {
	s subscriber
	f *fut
}

// callFn is a callback in the ready queue (a func is stored in an
// interface without allocating).
type callFn func()

func (fn callFn) notify(*fut) { fn() }

// ring is the ready queue, a growable circular buffer.
type ring struct {
	buf     []entry
	head, n int
}

func (q *ring) push(e entry) {
	if q.n == len(q.buf) {
		nb := make([]entry, max(16, 2*len(q.buf)))
		for i := range q.n {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = e
	q.n++
}

func (q *ring) pop() entry {
	e := q.buf[q.head]
	q.buf[q.head] = entry{}
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return e
}
