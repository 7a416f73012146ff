// Package fixed is the fixed version of cond/mimir_667: the querier waits
// through a context-aware condition whose cancellation broadcast is sent
// under the cond's lock.
//
// Upstream: grafana/mimir#667 ("Fix deadlock in disconnecting querier")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"sync"
)

// ErrStopped is returned when the queue has been stopped.
var ErrStopped = errors.New("queue is stopped")

// Request is a query waiting for a querier.
type Request any

// contextCond is a sync.Cond whose Wait also returns when a context is
// done.
type contextCond struct {
	*sync.Cond
}

// Wait waits for a Broadcast, a Signal or ctx to be done; c.L is held.
func (c contextCond) Wait(ctx context.Context) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			// Take the lock so that the broadcast cannot happen before
			// the waiter has released it in Wait.
			c.L.Lock()
			c.Cond.Broadcast()
			c.L.Unlock()
		case <-done:
		}
	}()
	c.Cond.Wait()
}

// RequestQueue holds the requests waiting for queriers.
type RequestQueue struct {
	mtx     sync.Mutex
	cond    contextCond // notified when a request is enqueued, or a querier's context is done
	queue   []Request
	stopped bool
}

// NewRequestQueue returns an empty queue.
func NewRequestQueue() *RequestQueue {
	q := &RequestQueue{}
	q.cond = contextCond{Cond: sync.NewCond(&q.mtx)}
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
		q.cond.Wait(ctx)
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
