// Package bug is a held-out kernel (issue 14): a scheduling queue tree in
// which sorting a parent's children holds the parent's lock and reads
// each child's pending resource under the child's lock, while raising a
// child's pending resource holds the child's lock and propagates to the
// parent under the parent's lock; the scheduler and the event handler
// lock the two queues in opposite orders and wait for each other.
//
// Upstream: apache/yunikorn-core#50 ("Fix potential deadlock in SchedulingQueue")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: the PR gives both stacks. The scheduling thread: singleStepSchedule
// -> findAllocationAsks -> sortSubqueuesFromQueue, which holds the parent
// queue's lock and calls each child's GetPendingResource (the child's read
// lock). The event handler: processAllocationUpdateEvent ->
// updateSchedulingRequest -> SchedulingQueue.IncPendingResource, which
// holds the child's lock and calls the parent's IncPendingResource (the
// parent's lock). Resources are reduced to an int64 and the sort to
// sort.Slice.
//
// Fix: nested locking goes from parent to child only:
// IncPendingResource updates the queue under its own lock, releases it,
// and only then propagates to the parent.
package bug

import (
	"sort"
	"sync"
)

// SchedulingQueue is one queue of the hierarchy.
type SchedulingQueue struct {
	Name string

	parent      *SchedulingQueue
	childQueues map[string]*SchedulingQueue

	pending int64

	lock sync.RWMutex
}

// NewQueue returns a queue under parent (nil for the root).
func NewQueue(name string, parent *SchedulingQueue) *SchedulingQueue {
	q := &SchedulingQueue{Name: name, parent: parent, childQueues: map[string]*SchedulingQueue{}}
	if parent != nil {
		parent.lock.Lock()
		parent.childQueues[name] = q
		parent.lock.Unlock()
	}
	return q
}

// GetPendingResource returns the queue's pending resource.
func (sq *SchedulingQueue) GetPendingResource() int64 {
	sq.lock.RLock() // heldout:site
	defer sq.lock.RUnlock()
	return sq.pending
}

// IncPendingResource adds delta to the queue and its ancestors.
func (sq *SchedulingQueue) IncPendingResource(delta int64) {
	sq.lock.Lock() // heldout:site
	defer sq.lock.Unlock()

	if sq.parent != nil {
		sq.parent.IncPendingResource(delta) // heldout:site
	}
	sq.pending += delta
}

// Scheduler walks the queues and handles events.
type Scheduler struct {
	root   *SchedulingQueue
	events chan int64
	leaf   *SchedulingQueue
}

// sortSubqueuesFromQueue returns parent's children, most pending first.
func (s *Scheduler) sortSubqueuesFromQueue(parent *SchedulingQueue) []*SchedulingQueue {
	parent.lock.RLock()
	defer parent.lock.RUnlock()

	subQueues := make([]*SchedulingQueue, 0, len(parent.childQueues))
	for _, child := range parent.childQueues {
		subQueues = append(subQueues, child)
	}
	sort.Slice(subQueues, func(i, j int) bool {
		return subQueues[i].GetPendingResource() > subQueues[j].GetPendingResource()
	})
	return subQueues
}

// singleStepSchedule visits the hierarchy once.
func (s *Scheduler) singleStepSchedule() {
	queues := []*SchedulingQueue{s.root}
	for len(queues) > 0 {
		q := queues[0]
		queues = queues[1:]
		queues = append(queues, s.sortSubqueuesFromQueue(q)...)
	}
}

// handleSchedulerEvent applies an update of the leaf's pending asks.
func (s *Scheduler) handleSchedulerEvent(delta int64) {
	s.leaf.IncPendingResource(delta)
}

// Run schedules and handles events, each in its own goroutine.
func (s *Scheduler) Run(stop <-chan struct{}) {
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				s.singleStepSchedule()
			}
		}
	}()
	go func() {
		for {
			select {
			case <-stop:
				return
			case d := <-s.events:
				s.handleSchedulerEvent(d)
			}
		}
	}()
}
