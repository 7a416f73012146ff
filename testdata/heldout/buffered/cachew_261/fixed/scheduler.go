// Package fixed is the fixed version of buffered/cachew_261: workers wait
// on a sync.Cond on q.lock, and Signal never blocks.
package fixed

import (
	"context"
	"sync"
)

// Job is a unit of background work; jobs of one queue never run at once.
type Job struct {
	Queue string
	ID    string
	Run   func(ctx context.Context) error
}

// RootScheduler runs jobs on a fixed set of workers.
type RootScheduler struct {
	cond   *sync.Cond
	lock   sync.Mutex
	done   bool
	queue  []Job
	active map[string]string // queue -> job id
	logf   func(string, ...any)
}

// New starts concurrency workers.
func New(ctx context.Context, concurrency int, logf func(string, ...any)) *RootScheduler {
	q := &RootScheduler{
		active: make(map[string]string),
		logf:   logf,
	}
	q.cond = sync.NewCond(&q.lock)
	go func() {
		<-ctx.Done()
		q.lock.Lock()
		q.done = true
		q.lock.Unlock()
		q.cond.Broadcast()
	}()
	for i := 0; i < concurrency; i++ {
		go q.worker(ctx)
	}
	return q
}

// Submit queues a job.
func (q *RootScheduler) Submit(job Job) {
	q.lock.Lock()
	q.queue = append(q.queue, job)
	q.lock.Unlock()
	q.cond.Signal()
}

func (q *RootScheduler) worker(ctx context.Context) {
	for {
		job, ok := q.waitForJob()
		if !ok {
			return
		}
		q.runJob(ctx, job)
	}
}

// waitForJob blocks until a job is available or the scheduler is shut down.
func (q *RootScheduler) waitForJob() (Job, bool) {
	q.lock.Lock()
	defer q.lock.Unlock()
	for {
		if q.done {
			return Job{}, false
		}
		if job, ok := q.takeNextJobLocked(); ok {
			return job, true
		}
		q.cond.Wait()
	}
}

func (q *RootScheduler) runJob(ctx context.Context, job Job) {
	defer q.markQueueInactive(job.Queue)
	if err := job.Run(ctx); err != nil {
		q.logf("job %s failed: %v", job.ID, err)
	}
}

func (q *RootScheduler) markQueueInactive(queue string) {
	q.lock.Lock()
	defer q.lock.Unlock()
	delete(q.active, queue)
	q.cond.Signal()
}

// takeNextJobLocked takes the next job of a queue that is not running a
// job; q.lock is held.
func (q *RootScheduler) takeNextJobLocked() (Job, bool) {
	for i, job := range q.queue {
		if _, active := q.active[job.Queue]; active {
			continue
		}
		q.queue = append(q.queue[:i], q.queue[i+1:]...)
		q.active[job.Queue] = job.ID
		q.cond.Signal()
		return job, true
	}
	return Job{}, false
}
