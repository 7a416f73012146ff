// Package bug is a held-out kernel (issue 14): a querier's loop waits on the
// request queue's sync.Cond, and the Broadcast sent when the querier
// disconnects can land between the waiter's context check and its Wait, so
// the waiter sleeps forever.
//
// Upstream: grafana/mimir#667 ("Fix deadlock in disconnecting querier")
// Round: 19
//
// Bug: GetNextRequestForQuerier holds q.mtx and loops "while there is no
// request and ctx.Err() == nil and not stopped: q.cond.Wait()". When the
// querier's stream is cancelled, the goroutine QuerierLoop started calls
// QuerierDisconnecting, which broadcasts without taking q.mtx. If the
// context is cancelled after the loop checked ctx.Err() and the Broadcast
// runs before the waiter is parked in Wait, the wake-up is lost; with no
// further requests enqueued the querier loop never returns (the PR: "if
// the broadcast happend before the wait, wait never receives any
// broadcast"). Reduced from pkg/scheduler/queue/queue.go and the
// scheduler's querier loop; the per-tenant queues, querier sharding and
// metrics are a single FIFO here, and the loop around the queue is our
// reduction of the scheduler's.
//
// Fix: waiting goes through a context-aware condition: contextCond.Wait(ctx)
// starts a goroutine that, on ctx.Done, takes the cond's lock and then
// broadcasts, so the broadcast cannot fall before the waiter has released
// the lock in Wait. The PR text gives the race and the context-aware wait;
// that the querier loop's disconnect goroutine is dropped with it is our
// reading of the fix.
package bug

import (
	"context"
	"errors"
	"sync"
)

// ErrStopped is returned when the queue has been stopped.
var ErrStopped = errors.New("queue is stopped")

// Request is a query waiting for a querier.
type Request any

// RequestQueue holds the requests waiting for queriers.
type RequestQueue struct {
	mtx     sync.Mutex
	cond    *sync.Cond // notified when a request is enqueued, or a querier disconnects
	queue   []Request
	stopped bool
}

// NewRequestQueue returns an empty queue.
func NewRequestQueue() *RequestQueue {
	q := &RequestQueue{}
	q.cond = sync.NewCond(&q.mtx)
	return q
}

// EnqueueRequest adds a request and wakes one querier.
func (q *RequestQueue) EnqueueRequest(req Request) error {
	q.mtx.Lock()
	defer q.mtx.Unlock()
	if q.stopped {
		return ErrStopped
	}
	q.queue = append(q.queue, req)
	q.cond.Signal()
	return nil
}

// GetNextRequestForQuerier blocks until a request is available, the
// context is done or the queue is stopped.
func (q *RequestQueue) GetNextRequestForQuerier(ctx context.Context) (Request, error) {
	q.mtx.Lock()
	defer q.mtx.Unlock()

	for len(q.queue) == 0 && ctx.Err() == nil && !q.stopped {
		q.cond.Wait() // heldout:site
	}

	if q.stopped {
		return nil, ErrStopped
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	req := q.queue[0]
	q.queue = q.queue[1:]
	return req, nil
}

// QuerierDisconnecting unblocks a querier waiting for its next request.
func (q *RequestQueue) QuerierDisconnecting() {
	q.cond.Broadcast() // heldout:site
}

// Stop wakes every waiting querier with ErrStopped.
func (q *RequestQueue) Stop() {
	q.mtx.Lock()
	defer q.mtx.Unlock()
	q.stopped = true
	q.cond.Broadcast()
}

// QuerierStream is the scheduler's side of one querier connection.
type QuerierStream interface {
	Context() context.Context
	Send(req Request) error
}

// Scheduler hands queued requests to connected queriers.
type Scheduler struct {
	requestQueue *RequestQueue
}

// NewScheduler returns a scheduler over q.
func NewScheduler(q *RequestQueue) *Scheduler {
	return &Scheduler{requestQueue: q}
}

// QuerierLoop serves one querier until its stream ends.
func (s *Scheduler) QuerierLoop(querier QuerierStream) error {
	// If the querier's connection is cancelled, ping the condition variable
	// to unblock GetNextRequestForQuerier.
	go func() {
		<-querier.Context().Done()
		s.requestQueue.QuerierDisconnecting()
	}()

	for {
		req, err := s.requestQueue.GetNextRequestForQuerier(querier.Context())
		if err != nil {
			return err
		}
		if err := querier.Send(req); err != nil {
			return err
		}
	}
}
