package futures

import (
	"fmt"
	"sync"
)

// workQueue is what both pools share: the queue of submitted tasks and the
// accounting of the workers that take them, started as work arrives.
type workQueue struct {
	mu       sync.Mutex
	wake     sync.Cond // idle workers wait here
	queue    []task
	head     int // queue[head:] is waiting
	max      int
	workers  int
	idle     int
	shutdown bool
	broken   error
	running  sync.WaitGroup // one per worker
	worker   func(i int)    // the body of worker i
}

func (q *workQueue) init(max int, worker func(i int)) {
	q.max, q.worker = max, worker
	q.wake.L = &q.mu
}

// push queues t, starting a worker when one is needed, or returns why the
// pool takes no more work.
func (q *workQueue) push(t task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.broken != nil:
		return q.broken
	case q.shutdown:
		return ErrShutdown
	}
	t.job.graphNode().number()
	q.queue = append(q.queue, t)
	if q.idle > 0 {
		q.wake.Signal()
	}
	// Every queued task needs a waiting worker or a new one; idle workers
	// already signalled but not yet awake still count as waiting. Keeping
	// this invariant is what lets the deadlock check trust that a queued
	// task runs whenever fewer than max workers are blocked.
	if len(q.queue)-q.head > q.idle && q.workers < q.max {
		q.workers++
		q.running.Add(1)
		go q.work(q.workers - 1)
	}
	return nil
}

func (q *workQueue) work(i int) {
	defer q.running.Done()
	q.worker(i)
}

// pop waits for the next task; it reports false when the worker should
// end: the pool is shut down and drained, or broken.
func (q *workQueue) pop() (task, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.queue) && !q.shutdown && q.broken == nil {
		q.idle++
		q.wake.Wait()
		q.idle--
	}
	if q.head == len(q.queue) || q.broken != nil {
		return task{}, false
	}
	t := q.queue[q.head]
	q.queue[q.head] = task{}
	q.head++
	if q.head == len(q.queue) {
		q.queue, q.head = q.queue[:0], 0
	}
	return t, true
}

// close stops the queue taking work: shut down, or broken with err. With
// take, it empties the queue and returns what was waiting.
func (q *workQueue) close(err error, take bool) []task {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err == nil {
		q.shutdown = true
	} else if q.broken == nil {
		q.broken = err
	}
	var queued []task
	if take {
		queued = q.queue[q.head:]
		q.queue, q.head = nil, 0
	}
	q.wake.Broadcast()
	return queued
}

// shutdownQueue is both pools' Shutdown; p is the pool q feeds.
func (q *workQueue) shutdownQueue(p *pool, wait, cancelFutures bool) error {
	for _, t := range q.close(nil, cancelFutures) {
		t.job.cancel()
	}
	if !wait {
		return nil
	}
	if s := currentWorker(); s != nil && s.pool == p {
		// Python's "cannot join current thread", found before it hangs.
		w := s.cur.Load()
		if w == nil { // not from a task: from the worker's initializer
			w = &node{label: p.name + " initializer"}
		}
		return &DeadlockError{
			Waiter: w.name(), WaiterFunc: w.fn(), Target: p.name,
			Involved: []string{fmt.Sprintf("%s runs in a worker of %s and calls Shutdown with wait, which waits for every running task to finish, including this one", w, p.name)},
		}
	}
	q.running.Wait()
	return nil
}

// breakQueue fails what is queued with err and refuses new work.
func (q *workQueue) breakQueue(err error) {
	for _, t := range q.close(err, true) {
		t.job.fail(err)
	}
}
