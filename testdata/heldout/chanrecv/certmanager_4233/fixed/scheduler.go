// Package fixed is the fixed version of chanrecv/certmanager_4233:
// afterFunc is time.AfterFunc, so a stopped timer leaves no goroutine
// waiting on its channel.
package fixed

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
	return time.AfterFunc(d, f)
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
		timer.Stop()
		delete(s.work, obj)
	}
}

// scheduleRenewal is how a controller uses the queue: each sync of a
// certificate reschedules its next check.
func scheduleRenewal(q ScheduledWorkQueue, key string, renewIn time.Duration) {
	q.Add(key, renewIn)
}
