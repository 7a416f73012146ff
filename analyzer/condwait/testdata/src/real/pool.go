package real

import "sync"

// Upstream: acomagu/bufpipe#6 (review) and project-iris/iris#7
//
// Bug: the close of a waited-on object woke its waiters with Signal. In
// bufpipe#6 the first version of the fix signalled the pipe's Cond on
// close and the review asked for Broadcast, since several readers can
// wait; in iris#7 the thread pool's termination woke one of several
// goroutines waiting for it with Signal, and the others waited forever.
// Fix: Broadcast. The kernel packages it as a work queue whose workers
// are started in a loop (ours): Close sets closed and Signals, one worker
// exits, the others sleep on an empty queue forever. Push's Signal is
// right: one job, one worker.
type workQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []func()
	closed bool
}

func newWorkQueue(n int) *workQueue {
	q := &workQueue{}
	q.cond = sync.NewCond(&q.mu)
	for i := 0; i < n; i++ {
		go q.worker()
	}
	return q
}

func (q *workQueue) worker() {
	for {
		q.mu.Lock()
		for len(q.jobs) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job()
	}
}

func (q *workQueue) Push(f func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, f)
	q.cond.Signal()
	q.mu.Unlock()
}

func (q *workQueue) Close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Signal() // want `Signal wakes one goroutine waiting on cond, but Close changes closed \(line \d+\), which ends the Wait of every goroutine in worker \(line \d+\), and several run it \(started at line \d+\): the others stay asleep after the change and block forever`
	q.mu.Unlock()
}

// The fix: Close broadcasts.
type workQueueFixed struct {
	mu     sync.Mutex
	cond   *sync.Cond
	jobs   []func()
	closed bool
}

func newWorkQueueFixed(n int) *workQueueFixed {
	q := &workQueueFixed{}
	q.cond = sync.NewCond(&q.mu)
	for i := 0; i < n; i++ {
		go q.worker()
	}
	return q
}

func (q *workQueueFixed) worker() {
	for {
		q.mu.Lock()
		for len(q.jobs) == 0 && !q.closed {
			q.cond.Wait()
		}
		if q.closed {
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job()
	}
}

func (q *workQueueFixed) Push(f func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, f)
	q.cond.Signal()
	q.mu.Unlock()
}

func (q *workQueueFixed) Close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}
