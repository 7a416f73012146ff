// Package bug is a held-out kernel (issue 14): launch adds one to the
// warmup WaitGroup, skips the warmup job when the warmup is zero, and waits
// anyway.
//
// Upstream: scylladb/gemini#170 ("gemini: Fix indefinite hang if warmup is set to zero")
// Round: 14
//
// Bug: launch created the warmup WaitGroup and called done.Add(1) before
// looking at the warmup duration; only when warmup > 0 did it run the
// warmup job, which is what calls done.Done(). With "--warmup=0s" nothing
// ever called Done and launch blocked in done.Wait() for ever, before the
// test jobs were even started (the PR: "the launch() function skips the
// actual job, but still waits on the waitgroup"). The job runner, the
// store and the status channel are our reduction of gemini's cmd/gemini.
//
// Fix: the Add, the warmup job and the Wait all moved inside
// "if warmup > 0 { ... }".
package bug

import (
	"sync"
	"time"
)

// Status is what a job reports at its end.
type Status struct {
	WriteOps, ReadOps int
	Errors            []error
}

// Store is the pair of clusters under test.
type Store interface {
	Mutate(stmt string) error
	Check(stmt string) error
}

type testJob func(store Store, id int, result chan<- Status)

// WarmupJob only writes.
func WarmupJob(store Store, id int, result chan<- Status) {
	var s Status
	if err := store.Mutate("INSERT"); err != nil {
		s.Errors = append(s.Errors, err)
	}
	s.WriteOps++
	result <- s
}

// MutationJob writes during the test run.
func MutationJob(store Store, id int, result chan<- Status) {
	var s Status
	if err := store.Mutate("UPDATE"); err != nil {
		s.Errors = append(s.Errors, err)
	}
	s.WriteOps++
	result <- s
}

// job runs f on concurrency goroutines and marks done when all are over.
func job(done *sync.WaitGroup, f testJob, concurrency int, store Store, result chan<- Status) {
	defer done.Done()
	var workers sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		workers.Add(1)
		go func(id int) {
			defer workers.Done()
			f(store, id, result)
		}(i)
	}
	workers.Wait()
}

// Runner holds the settings of one gemini run.
type Runner struct {
	Warmup      time.Duration
	Concurrency int
	Store       Store
}

func (r *Runner) launch(result chan<- Status) {
	done := &sync.WaitGroup{}
	done.Add(1) // heldout:site
	if r.Warmup > 0 {
		job(done, WarmupJob, r.Concurrency, r.Store, result)
	}
	done.Wait() // heldout:site

	done = &sync.WaitGroup{}
	done.Add(1)
	go job(done, MutationJob, r.Concurrency, r.Store, result)
	done.Wait()
}

// Run launches the jobs and sums up what they report.
func (r *Runner) Run() Status {
	result := make(chan Status, 16)
	total := make(chan Status)
	go func() {
		var sum Status
		for s := range result {
			sum.WriteOps += s.WriteOps
			sum.ReadOps += s.ReadOps
			sum.Errors = append(sum.Errors, s.Errors...)
		}
		total <- sum
	}()
	r.launch(result)
	close(result)
	return <-total
}
