// Package bug is a held-out kernel (issue 14): workers that re-signal a
// bounded wake-up channel after every job, so that once it is full every
// worker blocks on it and nobody drains it.
//
// Upstream: block/cachew#261 ("fix: Replace scheduler channel with sync.Cond to prevent deadlock")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: Submit queues a job and signals workAvailable (capacity 1024); each
// worker receives a signal and takes the next job whose queue is idle;
// takeNextJob signals again (under q.lock) so that another worker looks at
// the rest, and runJob's deferred send signals once more when the job
// ends. When the buffer fills up, all workers block on their sends (one of
// them holding q.lock in takeNextJob) and Submit blocks on its own: nobody
// receives any more (the PR: "All workers would block on the deferred
// channel send in runJob, preventing any reader from draining the
// channel"). Reduced from internal/jobscheduler/jobs.go; costs, clone
// limits, metrics and the periodic jobs are left out.
//
// Fix: the channel is replaced by a sync.Cond on q.lock, whose Signal
// never blocks; workers wait for a job in waitForJob.
package bug

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
	workAvailable chan bool
	lock          sync.Mutex
	queue         []Job
	active        map[string]string // queue -> job id
	logf          func(string, ...any)
}

// New starts concurrency workers.
func New(ctx context.Context, concurrency int, logf func(string, ...any)) *RootScheduler {
	q := &RootScheduler{
		workAvailable: make(chan bool, 1024),
		active:        make(map[string]string),
		logf:          logf,
	}
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
	q.workAvailable <- true // heldout:site
}

func (q *RootScheduler) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.workAvailable:
			job, ok := q.takeNextJob()
			if !ok {
				continue
			}
			q.runJob(ctx, job)
		}
	}
}

func (q *RootScheduler) runJob(ctx context.Context, job Job) {
	defer func() {
		q.markQueueInactive(job.Queue)
		q.workAvailable <- true // heldout:site
	}()
	if err := job.Run(ctx); err != nil {
		q.logf("job %s failed: %v", job.ID, err)
	}
}

func (q *RootScheduler) markQueueInactive(queue string) {
	q.lock.Lock()
	defer q.lock.Unlock()
	delete(q.active, queue)
}

// takeNextJob takes the next job of a queue that is not running a job.
func (q *RootScheduler) takeNextJob() (Job, bool) {
	q.lock.Lock()
	defer q.lock.Unlock()
	for i, job := range q.queue {
		if _, active := q.active[job.Queue]; active {
			continue
		}
		q.queue = append(q.queue[:i], q.queue[i+1:]...)
		q.workAvailable <- true // heldout:site
		q.active[job.Queue] = job.ID
		return job, true
	}
	return Job{}, false
}
