// Package bug is a held-out kernel (issue 14): a log subscription that
// publishes "my node set changed" on the broker's queue while holding its
// own lock; the queue hands the event to the node's listener, which asks
// the subscription whether it contains the node and blocks on that lock,
// so neither the publish nor the listener ever returns.
//
// Upstream: moby/swarmkit#3006 ("Fix a possible deadlock in the log broker")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: subscription.watch follows task events; its add closure locks
// s.mu, records the task's node and, for a node not seen before, calls
// s.changed.Publish(s) before unlocking. Publish on the watch queue does
// not return until every sink has taken the event; the sink here is the
// broker's per-node listener, which for each changed subscription calls
// sub.Contains(nodeID), an RLock of the same s.mu (moby/moby#42314 has
// the stacks). Our reduction: the go-events broadcaster is a queue whose
// Publish is a send on an unbuffered channel read by the listener, and
// the store's task events are a channel of tasks.
//
// Fix: add unlocks s.mu before it publishes.
package bug

import (
	"context"
	"sync"
)

// Task is a scheduled task.
type Task struct {
	ID, NodeID, ServiceID string
}

// Queue is the broker's queue of changed subscriptions.
type Queue struct {
	ch     chan *subscription
	closed chan struct{}
	once   sync.Once
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{ch: make(chan *subscription), closed: make(chan struct{})}
}

// Publish returns once the event has been taken by the listener, or the
// queue is closed.
func (q *Queue) Publish(s *subscription) {
	select {
	case q.ch <- s: // heldout:site
	case <-q.closed:
	}
}

// Close drops later and pending events.
func (q *Queue) Close() { q.once.Do(func() { close(q.closed) }) }

type subscription struct {
	id     string
	follow bool

	mu sync.RWMutex

	changed *Queue

	ctx    context.Context
	cancel context.CancelFunc

	nodes        map[string]struct{}
	pendingTasks map[string]struct{}
	serviceIDs   []string
}

func newSubscription(id string, serviceIDs []string, changed *Queue) *subscription {
	return &subscription{
		id:           id,
		follow:       true,
		changed:      changed,
		nodes:        make(map[string]struct{}),
		pendingTasks: make(map[string]struct{}),
		serviceIDs:   serviceIDs,
	}
}

// Contains reports whether the subscription wants logs from nodeID.
func (s *subscription) Contains(nodeID string) bool {
	s.mu.RLock() // heldout:site
	defer s.mu.RUnlock()

	_, ok := s.nodes[nodeID]
	return ok
}

// Run follows task events until Stop.
func (s *subscription) Run(ctx context.Context, ch <-chan *Task) {
	s.ctx, s.cancel = context.WithCancel(ctx)
	go s.watch(ch)
}

// Stop ends the watch.
func (s *subscription) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
}

func (s *subscription) watch(ch <-chan *Task) error {
	matchServices := map[string]struct{}{}
	for _, sid := range s.serviceIDs {
		matchServices[sid] = struct{}{}
	}

	add := func(t *Task) {
		s.mu.Lock()
		defer s.mu.Unlock()

		if t.NodeID == "" {
			s.pendingTasks[t.ID] = struct{}{}
			return
		}

		delete(s.pendingTasks, t.ID)
		if _, ok := s.nodes[t.NodeID]; !ok {
			s.nodes[t.NodeID] = struct{}{}
			s.changed.Publish(s) // heldout:site
		}
	}

	for {
		var t *Task
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case t = <-ch:
		}
		if _, ok := matchServices[t.ServiceID]; ok {
			add(t)
		}
	}
}

// LogBroker routes subscriptions to the nodes that have their tasks.
type LogBroker struct {
	changed *Queue
	toNode  chan string
}

// NewLogBroker returns a broker with its queue.
func NewLogBroker() *LogBroker {
	return &LogBroker{changed: NewQueue(), toNode: make(chan string, 64)}
}

// listenSubscriptions is the per-node listener: each changed subscription
// that now contains the node is forwarded to it.
func (lb *LogBroker) listenSubscriptions(ctx context.Context, nodeID string) {
	for {
		select {
		case <-ctx.Done():
			return
		case sub := <-lb.changed.ch:
			if sub.Contains(nodeID) {
				select {
				case lb.toNode <- sub.id:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// Stop closes the broker's queue; the caller cancels the listeners'
// context.
func (lb *LogBroker) Stop() { lb.changed.Close() }

// Subscribe starts a following subscription and the node's listener.
func (lb *LogBroker) Subscribe(ctx context.Context, nodeID string, serviceIDs []string, tasks <-chan *Task) *subscription {
	sub := newSubscription("sub", serviceIDs, lb.changed)
	go lb.listenSubscriptions(ctx, nodeID)
	sub.Run(ctx, tasks)
	return sub
}
