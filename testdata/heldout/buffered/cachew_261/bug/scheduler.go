// Package bug is a held-out kernel (issue 14): workers that re-signal a
// bounded wake-up channel from a deferred send, so that once it is full
// every worker blocks on it and nobody drains it.
//
// Upstream: block/cachew#261 ("fix: Replace scheduler channel with sync.Cond to prevent deadlock")
// Round: 2
//
// Bug: Submit queues a job and signals workAvailable (capacity 1024); each
// worker receives a signal, pops a job and runs it, and runJob's deferred
// send re-signals workAvailable so that another worker looks at the queue.
// When the buffer fills up, every worker blocks in that deferred send and
// Submit blocks on its own send: nobody receives any more.
//
// Fix: the channel is replaced by a sync.Cond, whose Signal never blocks.
package bug

import "sync"

// Job is a unit of background work.
type Job struct {
	Key string
	Run func() error
}

// Scheduler runs jobs on a fixed set of workers.
type Scheduler struct {
	mu            sync.Mutex
	queue         []Job
	running       map[string]bool
	workAvailable chan struct{}
	logf          func(string, ...any)
}

// NewScheduler starts workers goroutines.
func NewScheduler(workers int, logf func(string, ...any)) *Scheduler {
	s := &Scheduler{
		running:       map[string]bool{},
		workAvailable: make(chan struct{}, 1024),
		logf:          logf,
	}
	for i := 0; i < workers; i++ {
		go s.worker()
	}
	return s
}

// Submit queues a job.
func (s *Scheduler) Submit(job Job) {
	s.mu.Lock()
	s.queue = append(s.queue, job)
	s.mu.Unlock()
	s.workAvailable <- struct{}{} // heldout:site
}

func (s *Scheduler) worker() {
	for range s.workAvailable {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			continue
		}
		job := s.queue[0]
		s.queue = s.queue[1:]
		if s.running[job.Key] {
			s.queue = append(s.queue, job)
			s.mu.Unlock()
			continue
		}
		s.running[job.Key] = true
		s.mu.Unlock()
		s.runJob(job)
	}
}

func (s *Scheduler) runJob(job Job) {
	defer func() {
		s.mu.Lock()
		delete(s.running, job.Key)
		s.mu.Unlock()
		s.workAvailable <- struct{}{} // heldout:site
	}()
	if err := job.Run(); err != nil {
		s.logf("job %s: %v", job.Key, err)
	}
}
