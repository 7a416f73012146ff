// Package fixed is the fixed version of waitgroup/gemini_170: the warmup
// WaitGroup is only added to and waited on when the warmup job runs.
package fixed

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
	if r.Warmup > 0 {
		done := &sync.WaitGroup{}
		done.Add(1)
		job(done, WarmupJob, r.Concurrency, r.Store, result)
		done.Wait()
	}

	done := &sync.WaitGroup{}
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
