// Package bug is a held-out kernel (issue 14): cert-manager's scheduled
// work queue runs each delayed item in a goroutine that waits on a timer's
// channel, and cancels the item by stopping the timer; Stop does not close
// the channel, so every cancelled or replaced item leaves a goroutine
// blocked for ever on its receive (10,000 of them in the PR's test).
//
// Upstream: cert-manager/cert-manager#4233 ("Memory leak: fix the scheduler's goroutine leakage")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the certificates and ACME controllers Add each object with the
// delay until its next renewal check; Add first forgets any timer already
// scheduled for the object. afterFunc made a timer and started
// `go func() { <-t.C; f() }()`, returning the timer so forget could call
// Stop. A stopped timer never sends on C and C is never closed ("We
// probably thought that timer.Stop would close the timer.C channel"), so
// each rescheduling leaks the waiting goroutine; the controller's memory
// grew with time (#4224). The clock abstraction used for tests is left
// out; afterFunc's body before the fix is our reading of the PR's
// description.
//
// Fix: afterFunc is time.AfterFunc, which runs f in its own goroutine only
// when the timer fires, so stopping it leaves nothing waiting.
package bug

import (
	"sync"
	"time"
)

// stoppable is the subset of time.Timer the queue uses.
type stoppable interface {
	Stop() bool
}

// afterFunc runs f once d has passed, unless the returned timer is stopped.
var afterFunc = func(d time.Duration, f func()) stoppable {
	t := time.NewTimer(d)
	go func() {
		<-t.C // heldout:site
		f()
	}()
	return t
}

// ProcessFunc processes an item of the work queue.
type ProcessFunc func(interface{})

// ScheduledWorkQueue executes ProcessFunc for each added object once its
// duration has passed.
type ScheduledWorkQueue interface {
	// Add schedules obj, cancelling any timer already set for it.
	Add(interface{}, time.Duration)
	// Forget cancels the timer for obj, if there is one.
	Forget(interface{})
}

type scheduledWorkQueue struct {
	processFunc ProcessFunc
	work        map[interface{}]stoppable
	workLock    sync.Mutex
}

// NewScheduledWorkQueue creates a work queue with the given processFunc.
func NewScheduledWorkQueue(processFunc ProcessFunc) ScheduledWorkQueue {
	return &scheduledWorkQueue{processFunc: processFunc, work: make(map[interface{}]stoppable)}
}

func (s *scheduledWorkQueue) Add(obj interface{}, duration time.Duration) {
	s.workLock.Lock()
	defer s.workLock.Unlock()
	s.forget(obj)
	s.work[obj] = afterFunc(duration, func() {
		defer s.Forget(obj)
		s.processFunc(obj)
	})
}

func (s *scheduledWorkQueue) Forget(obj interface{}) {
	s.workLock.Lock()
	defer s.workLock.Unlock()
	s.forget(obj)
}

// forget cancels and removes an item; the lock must be held.
func (s *scheduledWorkQueue) forget(obj interface{}) {
	if timer, ok := s.work[obj]; ok {
		timer.Stop() // heldout:site
		delete(s.work, obj)
	}
}

// scheduleRenewal is how a controller uses the queue: each sync of a
// certificate reschedules its next check.
func scheduleRenewal(q ScheduledWorkQueue, key string, renewIn time.Duration) {
	q.Add(key, renewIn)
}
