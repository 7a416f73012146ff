package stuckloops

import (
	"context"
	"time"
)

// Look-alike: a field channel served by a loop that may end by its
// context's case in a select without the field (a refill wait). A client
// taking after that has used the object past its life: the field harness
// does not follow such loops.
type ticketer struct {
	tickets chan int
	next    int
}

func newTicketer(ctx context.Context) *ticketer {
	t := &ticketer{tickets: make(chan int)}
	go t.run(ctx)
	return t
}

func (t *ticketer) run(ctx context.Context) {
	for {
		if t.next%8 == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		select {
		case <-ctx.Done():
			return
		case t.tickets <- t.next:
			t.next++
		}
	}
}

// Take waits for the next ticket.
func (t *ticketer) Take() int { return <-t.tickets }

// A queue sized by its caller, drained by one worker until it is closed.
type queue struct {
	jobs chan func()
}

func newQueue(size int) *queue {
	q := &queue{jobs: make(chan func(), size)}
	go q.work()
	return q
}

func (q *queue) work() {
	for f := range q.jobs {
		f()
	}
}

// Add queues f.
func (q *queue) Add(f func()) { q.jobs <- f }

// Close ends the worker.
func (q *queue) Close() { close(q.jobs) }
