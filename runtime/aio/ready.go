package aio

// entry is one item of the ready queue: a task to step, a callback, or a
// subscriber to notify of f (a done callback, or a Timer's call).
type entry struct {
	t  *Task
	fn func()
	s  subscriber
	f  *fut
}

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
