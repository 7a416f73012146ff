// Package fixed is the fixed version of buffered/cachew_261: workers wait on
// a sync.Cond, and Signal never blocks.
package fixed

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
	workAvailable *sync.Cond
	logf          func(string, ...any)
}

// NewScheduler starts workers goroutines.
func NewScheduler(workers int, logf func(string, ...any)) *Scheduler {
	s := &Scheduler{
		running: map[string]bool{},
		logf:    logf,
	}
	s.workAvailable = sync.NewCond(&s.mu)
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
	s.workAvailable.Signal()
}

// next waits for a job whose key is not running and marks it running.
func (s *Scheduler) next() Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		for i, job := range s.queue {
			if !s.running[job.Key] {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				s.running[job.Key] = true
				return job
			}
		}
		s.workAvailable.Wait()
	}
}

func (s *Scheduler) worker() {
	for {
		s.runJob(s.next())
	}
}

func (s *Scheduler) runJob(job Job) {
	defer func() {
		s.mu.Lock()
		delete(s.running, job.Key)
		s.mu.Unlock()
		s.workAvailable.Signal()
	}()
	if err := job.Run(); err != nil {
		s.logf("job %s: %v", job.Key, err)
	}
}
