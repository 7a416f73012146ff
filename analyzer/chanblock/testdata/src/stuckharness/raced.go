// Package stuckharness holds field channels whose leak needs the harness to
// follow a call that races the object's end: a client's operation that
// began while the object's goroutine was still in its select, which the
// spec lets pick another ready case (a cancelled context, a stop channel)
// instead (Close while Send is in flight); two exported methods called at
// once; and a method's own goroutine racing the method's select. Each sits
// beside a fixed twin, and look-alikes (a stop case only an uncalled
// method fires, a one-shot object called twice, a call after a failed
// Start) stay silent.
package stuckharness

import (
	"context"
	"time"
)

// Queue's loop stops with the caller's context; Put's plain send may
// already wait when the loop picks the context's case.
type Queue struct {
	in chan int
}

// NewQueue starts the queue's loop.
func NewQueue(ctx context.Context) *Queue {
	q := &Queue{in: make(chan int)}
	go q.loop(ctx)
	return q
}

func (q *Queue) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-q.in:
			use(v)
		}
	}
}

// Put hands v to the loop.
func (q *Queue) Put(v int) {
	q.in <- v // want `can block forever`
}

func use(int) {}

// SafeQueue's loop closes gone when it ends, and Put selects on it.
type SafeQueue struct {
	in   chan int
	gone chan struct{}
}

// NewSafeQueue starts the queue's loop.
func NewSafeQueue(ctx context.Context) *SafeQueue {
	q := &SafeQueue{in: make(chan int), gone: make(chan struct{})}
	go q.loop(ctx)
	return q
}

func (q *SafeQueue) loop(ctx context.Context) {
	defer close(q.gone)
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-q.in:
			use(v)
		}
	}
}

// Put hands v to the loop unless it has ended.
func (q *SafeQueue) Put(v int) bool {
	select {
	case q.in <- v:
		return true
	case <-q.gone:
		return false
	}
}

// Hub's Start runs a function literal that stops on the caller's stop
// channel; Join's send may wait when the literal picks stop.
type Hub struct {
	joins chan string
	names []string
}

// NewHub returns a hub; Start runs it.
func NewHub() *Hub { return &Hub{} }

// Start serves joins until stop is closed.
func (h *Hub) Start(stop <-chan struct{}) {
	h.joins = make(chan string)
	go func() {
		for {
			select {
			case name := <-h.joins:
				h.names = append(h.names, name)
			case <-stop:
				return
			}
		}
	}()
}

// Join adds a member.
func (h *Hub) Join(name string) {
	h.joins <- name // want `can block forever`
}

// SafeHub's Join also watches the caller's stop channel, kept by Start.
type SafeHub struct {
	joins chan string
	stop  <-chan struct{}
	names []string
}

// Start serves joins until stop is closed.
func (h *SafeHub) Start(stop <-chan struct{}) {
	h.joins, h.stop = make(chan string), stop
	go func() {
		for {
			select {
			case name := <-h.joins:
				h.names = append(h.names, name)
			case <-stop:
				return
			}
		}
	}()
}

// Join adds a member unless the hub stopped.
func (h *SafeHub) Join(name string) {
	select {
	case h.joins <- name:
	case <-h.stop:
	}
}

// Ticks is the receive side: its producer stops on a timeout, and a Next
// that already waits is left without a value, as a time.Ticker's reader
// is after Stop (documented): not reported.
type Ticks struct {
	out chan time.Time
}

// NewTicks starts the producer, which ends after an idle minute.
func NewTicks() *Ticks {
	t := &Ticks{out: make(chan time.Time)}
	go func() {
		for {
			select {
			case t.out <- time.Now():
			case <-time.After(time.Minute):
				return
			}
		}
	}()
	return t
}

// Next returns the next tick.
func (t *Ticks) Next() time.Time {
	return <-t.out
}

// SafeTicks' producer closes out when it ends: Next gets the zero time.
type SafeTicks struct {
	out chan time.Time
}

// NewSafeTicks starts the producer, which ends after an idle minute.
func NewSafeTicks() *SafeTicks {
	t := &SafeTicks{out: make(chan time.Time)}
	go func() {
		defer close(t.out)
		for {
			select {
			case t.out <- time.Now():
			case <-time.After(time.Minute):
				return
			}
		}
	}()
	return t
}

// Next returns the next tick, or false once the producer ended.
func (t *SafeTicks) Next() (time.Time, bool) {
	v, ok := <-t.out
	return v, ok
}

// Batcher's loop ends after an idle minute; an Add whose helper already
// waits to send is left blocked when the timer's case wins.
type Batcher struct {
	items chan string
	batch []string
}

// NewBatcher starts the batching loop.
func NewBatcher() *Batcher {
	b := &Batcher{items: make(chan string)}
	go b.run()
	return b
}

func (b *Batcher) run() {
	for {
		select {
		case it := <-b.items:
			b.batch = append(b.batch, it)
		case <-time.After(time.Minute):
			return
		}
	}
}

// Add queues an item.
func (b *Batcher) Add(it string) { b.push(it) }

func (b *Batcher) push(it string) {
	b.items <- it // want `can block forever`
}

// SafeBatcher's loop closes idle when it ends; push gives up then.
type SafeBatcher struct {
	items chan string
	idle  chan struct{}
	batch []string
}

// NewSafeBatcher starts the batching loop.
func NewSafeBatcher() *SafeBatcher {
	b := &SafeBatcher{items: make(chan string), idle: make(chan struct{})}
	go b.run()
	return b
}

func (b *SafeBatcher) run() {
	defer close(b.idle)
	for {
		select {
		case it := <-b.items:
			b.batch = append(b.batch, it)
		case <-time.After(time.Minute):
			return
		}
	}
}

// Add queues an item unless the loop ended.
func (b *SafeBatcher) Add(it string) bool { return b.push(it) }

func (b *SafeBatcher) push(it string) bool {
	select {
	case b.items <- it:
		return true
	case <-b.idle:
		return false
	}
}
