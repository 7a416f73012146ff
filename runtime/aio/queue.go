package aio

// Queue is a queue for the tasks of one loop: Python's asyncio.Queue (and
// LifoQueue and PriorityQueue, see NewLifoQueue and NewPriorityQueue).
// It is not safe for use by several goroutines. Make one with NewQueue.
type Queue[T any] struct {
	items      []T
	head       int               // FIFO: items[head:] are queued
	less       func(a, b T) bool // PriorityQueue: items is a min-heap
	lifo       bool
	maxsize    int
	getters    waitList
	putters    waitList
	unfinished int
	finished   Event
}

// NewQueue returns a FIFO queue holding up to maxsize items; maxsize <= 0
// means no limit.
func NewQueue[T any](maxsize int) *Queue[T] {
	q := &Queue[T]{maxsize: maxsize}
	q.finished.Set()
	return q
}

// NewLifoQueue returns a queue that gives the last item put first
// (Python's asyncio.LifoQueue).
func NewLifoQueue[T any](maxsize int) *Queue[T] {
	q := NewQueue[T](maxsize)
	q.lifo = true
	return q
}

// NewPriorityQueue returns a queue that gives the least item first by
// less (Python's asyncio.PriorityQueue).
func NewPriorityQueue[T any](maxsize int, less func(a, b T) bool) *Queue[T] {
	q := NewQueue[T](maxsize)
	q.less = less
	return q
}

// Len returns the number of items queued (Python's qsize).
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Maxsize returns the queue's capacity, 0 for none.
func (q *Queue[T]) Maxsize() int { return max(q.maxsize, 0) }

// Empty reports whether the queue has no items.
func (q *Queue[T]) Empty() bool { return q.Len() == 0 }

// Full reports whether the queue holds maxsize items; a queue without a
// limit is never full.
func (q *Queue[T]) Full() bool { return q.maxsize > 0 && q.Len() >= q.maxsize }

// Put puts v in the queue, suspending t while the queue is full.
func (q *Queue[T]) Put(t *Task, v T) error {
	var a QueuePut[T]
	a.Start(t, q, v)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// PutNowait puts v in the queue without waiting, or returns ErrQueueFull.
func (q *Queue[T]) PutNowait(v T) error {
	if q.Full() {
		return ErrQueueFull
	}
	q.put(v)
	q.unfinished++
	q.finished.Clear()
	q.getters.popWake()
	return nil
}

// Get removes and returns an item, suspending t while the queue is empty.
func (q *Queue[T]) Get(t *Task) (T, error) {
	var a QueueGet[T]
	a.Start(t, q)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

// GetNowait removes and returns an item without waiting, or returns
// ErrQueueEmpty.
func (q *Queue[T]) GetNowait() (T, error) {
	if q.Empty() {
		var zero T
		return zero, ErrQueueEmpty
	}
	v := q.get()
	q.putters.popWake()
	return v, nil
}

// TaskDone tells the queue that an item taken from it has been processed;
// when every item put has been, Join returns. Calling it more times than
// items were put panics, as sync.WaitGroup's Done does.
func (q *Queue[T]) TaskDone() {
	if q.unfinished <= 0 {
		panic("aio: Queue.TaskDone called too many times")
	}
	q.unfinished--
	if q.unfinished == 0 {
		q.finished.Set()
	}
}

// Join suspends t until every item put in the queue has been taken and
// marked done with TaskDone.
func (q *Queue[T]) Join(t *Task) error {
	var a QueueJoin[T]
	a.Start(t, q)
	for w, s := a.step(t, nil); s; w, s = a.step(t, suspendOn(t, w)) {
	}
	return a.Result()
}

func (q *Queue[T]) put(v T) {
	q.items = append(q.items, v)
	if q.less != nil {
		q.up(len(q.items) - 1)
	}
}

func (q *Queue[T]) get() T {
	var zero T
	switch {
	case q.lifo || q.less != nil:
		n := len(q.items) - 1
		if q.less != nil {
			q.items[0], q.items[n] = q.items[n], q.items[0]
			q.down(0, n)
		}
		v := q.items[n]
		q.items[n] = zero
		q.items = q.items[:n]
		return v
	}
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head >= 1024 && q.head*2 >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return v
}

func (q *Queue[T]) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !q.less(q.items[j], q.items[i]) {
			break
		}
		q.items[i], q.items[j] = q.items[j], q.items[i]
		j = i
	}
}

func (q *Queue[T]) down(i, n int) {
	for {
		j := 2*i + 1
		if j >= n {
			return
		}
		if r := j + 1; r < n && q.less(q.items[r], q.items[j]) {
			j = r
		}
		if !q.less(q.items[j], q.items[i]) {
			return
		}
		q.items[i], q.items[j] = q.items[j], q.items[i]
		i = j
	}
}
