// Package bug is a held-out kernel (issue 14): Kueue's queue Manager,
// whose Heads waits on a sync.Cond (over the manager's own RWMutex) until
// a ClusterQueue has a pending workload or the context is done. It checks
// ctx.Done() and then calls cond.Wait; CleanUpOnContext broadcasts once
// the context is done, but without taking the manager's lock, so the
// broadcast can land between Heads' check and its Wait. The scheduler
// then sleeps in Heads for ever and shutdown hangs.
//
// Upstream: kubernetes-sigs/kueue#9137 ("Fix: lock cleanup broadcast to avoid missed wakeup")
// Round: 14
//
// Bug: the PR: "the broadcast could occur without holding the same lock
// used by cond.Wait(), allowing a waiter to miss the signal and block
// indefinitely during shutdown/cancellation". Manager (an embedded
// RWMutex, cond, the cluster queues), Heads with its select on ctx.Done()
// before Wait, Broadcast and CleanUpOnContext follow
// pkg/cache/queue/manager.go; cluster queues are reduced to slices of
// workload names, and the scheduler loop to a driver.
//
// Fix: CleanUpOnContext takes the manager's lock around the broadcast.
package bug

import (
	"context"
	"sync"
)

// Info is a workload waiting for admission.
type Info struct {
	Name         string
	ClusterQueue string
}

// ClusterQueue holds the pending workloads of one cluster queue.
type ClusterQueue struct {
	name    string
	pending []Info
}

func (c *ClusterQueue) pop() *Info {
	if len(c.pending) == 0 {
		return nil
	}
	w := c.pending[0]
	c.pending = c.pending[1:]
	return &w
}

// Manager keeps the pending workloads of every cluster queue.
type Manager struct {
	sync.RWMutex
	cond sync.Cond

	hm map[string]*ClusterQueue
}

// NewManager returns an empty Manager.
func NewManager() *Manager {
	m := &Manager{hm: make(map[string]*ClusterQueue)}
	m.cond.L = &m.RWMutex
	return m
}

// AddClusterQueue registers a cluster queue.
func (m *Manager) AddClusterQueue(name string) {
	m.Lock()
	defer m.Unlock()
	m.hm[name] = &ClusterQueue{name: name}
}

// AddWorkload queues a workload and wakes Heads.
func (m *Manager) AddWorkload(w Info) bool {
	m.Lock()
	defer m.Unlock()
	cq := m.hm[w.ClusterQueue]
	if cq == nil {
		return false
	}
	cq.pending = append(cq.pending, w)
	m.Broadcast()
	return true
}

// Broadcast wakes every goroutine in Heads.
func (m *Manager) Broadcast() {
	m.cond.Broadcast()
}

// heads pops the head of every cluster queue. The caller holds the lock.
func (m *Manager) heads() []Info {
	var workloads []Info
	for _, cq := range m.hm {
		if w := cq.pop(); w != nil {
			workloads = append(workloads, *w)
		}
	}
	return workloads
}

// Heads returns the head of every cluster queue, waiting until there is
// at least one or ctx is done.
func (m *Manager) Heads(ctx context.Context) []Info {
	m.Lock()
	defer m.Unlock()
	for {
		workloads := m.heads()
		if len(workloads) != 0 {
			return workloads
		}
		select {
		case <-ctx.Done():
			return nil
		default:
			m.cond.Wait() // heldout:site
		}
	}
}

// CleanUpOnContext wakes Heads once ctx is done, so it can return.
func (m *Manager) CleanUpOnContext(ctx context.Context) {
	<-ctx.Done()
	m.Broadcast() // heldout:site
}

// Scheduler admits the heads of the queues until its context is done.
type Scheduler struct {
	queues   *Manager
	admitted []string
}

func (s *Scheduler) schedule(ctx context.Context) bool {
	heads := s.queues.Heads(ctx)
	if len(heads) == 0 {
		return false
	}
	for _, w := range heads {
		s.admitted = append(s.admitted, w.Name)
	}
	return true
}

// Start runs the scheduler until ctx is done.
func (s *Scheduler) Start(ctx context.Context) {
	for s.schedule(ctx) {
	}
}

// RunAndStop starts the manager's clean-up and the scheduler, then stops
// them with no workload queued.
func RunAndStop() {
	m := NewManager()
	m.AddClusterQueue("cq")
	ctx, cancel := context.WithCancel(context.Background())
	go m.CleanUpOnContext(ctx)
	done := make(chan struct{})
	s := &Scheduler{queues: m}
	go func() {
		defer close(done)
		s.Start(ctx)
	}()
	cancel()
	<-done
}
