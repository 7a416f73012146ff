// Package bug is a held-out kernel (issue 14): Stop sends one value where
// every worker waits for the stop signal.
//
// Upstream: jaegertracing/jaeger#1454 ("Fix HotRod job pool termination (#1453)")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: the HotRod example's worker pool starts N workers that each select
// on the jobs channel and the stop channel; Stop sends a single value on
// stop, so one worker returns and the other N-1 wait forever.
//
// Fix: Stop closes the stop channel, which every worker sees.
package bug

// Pool is a simple worker pool.
type Pool struct {
	jobs chan func()
	stop chan struct{}
}

// New creates a new pool with the given number of workers.
func New(workers int) *Pool {
	jobs := make(chan func())
	stop := make(chan struct{})
	for i := 0; i < workers; i++ {
		go func() {
			for {
				select { // heldout:site
				case job := <-jobs:
					job()
				case <-stop:
					return
				}
			}
		}()
	}
	return &Pool{
		jobs: jobs,
		stop: stop,
	}
}

// Execute enqueues the job to be executed by one of the workers in the pool.
func (p *Pool) Execute(job func()) {
	p.jobs <- job
}

// Stop halts all the workers.
func (p *Pool) Stop() {
	p.stop <- struct{}{} // heldout:site
}
