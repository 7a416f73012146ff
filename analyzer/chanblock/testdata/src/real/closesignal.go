package real

import (
	"context"
	"errors"
	"io"
	"sync"
)

// A one-slot wake-up channel used as a condition variable: a shutdown
// that sets the closed flag and wakes waiters with the same non-blocking
// send as a write wakes only one of several waiters.

// Upstream: pion/transport#302 (packetio.Buffer.Close notified its
// readers like a Write, with one non-blocking send on notify; a second
// concurrent Read, which returns io.EOF on a closed buffer without
// notifying the next, never woke). Fix: Close closes notify. Reduced in
// our own words.
type packetQueue struct {
	mu      sync.Mutex
	packets [][]byte
	ready   chan struct{}
	closed  bool
}

func newPacketQueue() *packetQueue {
	return &packetQueue{ready: make(chan struct{}, 1)}
}

func (q *packetQueue) wakeOne() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// Put queues a packet.
func (q *packetQueue) Put(p []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.packets = append(q.packets, p)
	q.wakeOne()
}

// Get returns the next packet, waiting for one.
func (q *packetQueue) Get() ([]byte, error) {
	for {
		q.mu.Lock()
		if len(q.packets) > 0 {
			p := q.packets[0]
			q.packets = q.packets[1:]
			q.mu.Unlock()
			return p, nil
		}
		if q.closed {
			q.mu.Unlock()
			return nil, io.EOF
		}
		q.mu.Unlock()
		<-q.ready
	}
}

// Close ends the queue.
func (q *packetQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.wakeOne() // want `Close sets closed \(line \d+\) and wakes the waiters on ready with one non-blocking send, which wakes one of them: Get, which several goroutines may run, waits on ready in a loop`
}

// The fix: Close closes the channel; every waiter, now and later, wakes.
type packetQueueFixed struct {
	mu      sync.Mutex
	packets [][]byte
	ready   chan struct{}
	closed  bool
}

func newPacketQueueFixed() *packetQueueFixed {
	return &packetQueueFixed{ready: make(chan struct{}, 1)}
}

// Put queues a packet.
func (q *packetQueueFixed) Put(p []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.packets = append(q.packets, p)
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// Get returns the next packet, waiting for one.
func (q *packetQueueFixed) Get() ([]byte, error) {
	for {
		q.mu.Lock()
		if len(q.packets) > 0 {
			p := q.packets[0]
			q.packets = q.packets[1:]
			q.mu.Unlock()
			return p, nil
		}
		if q.closed {
			q.mu.Unlock()
			return nil, io.EOF
		}
		q.mu.Unlock()
		<-q.ready
	}
}

// Close ends the queue.
func (q *packetQueueFixed) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ready)
	}
}

// Variant (ours): the wake-up is written inline in Shutdown, and the
// waiters select on it beside their context.
type slotPool struct {
	mu       sync.Mutex
	free     int
	freed    chan struct{}
	shutdown bool
}

func newSlotPool(n int) *slotPool {
	return &slotPool{free: n, freed: make(chan struct{}, 1)}
}

// Acquire takes a slot, waiting for one to be freed.
func (p *slotPool) Acquire(ctx context.Context) error {
	for {
		p.mu.Lock()
		if p.shutdown {
			p.mu.Unlock()
			return errors.New("pool shut down")
		}
		if p.free > 0 {
			p.free--
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.freed:
		}
	}
}

// Release frees a slot.
func (p *slotPool) Release() {
	p.mu.Lock()
	p.free++
	p.mu.Unlock()
	select {
	case p.freed <- struct{}{}:
	default:
	}
}

// Shutdown fails every waiter.
func (p *slotPool) Shutdown() {
	p.mu.Lock()
	p.shutdown = true
	p.mu.Unlock()
	select { // want `Shutdown sets shutdown \(line \d+\) and wakes the waiters on freed with one non-blocking send`
	case p.freed <- struct{}{}:
	default:
	}
}

// Look-alike (ours): a waiter that leaves on the flag passes the wake-up
// on first, so the one send reaches every waiter in turn.
type relayQueue struct {
	mu    sync.Mutex
	items []int
	kick  chan struct{}
	done  bool
}

func newRelayQueue() *relayQueue {
	return &relayQueue{kick: make(chan struct{}, 1)}
}

func (q *relayQueue) kickOne() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// Pop returns the next item, or false once the queue is done.
func (q *relayQueue) Pop() (int, bool) {
	for {
		q.mu.Lock()
		if q.done {
			q.kickOne()
			q.mu.Unlock()
			return 0, false
		}
		if len(q.items) > 0 {
			v := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return v, true
		}
		q.mu.Unlock()
		<-q.kick
	}
}

// Finish ends the queue.
func (q *relayQueue) Finish() {
	q.mu.Lock()
	q.done = true
	q.mu.Unlock()
	q.kickOne()
}

// Look-alike (ours): the only waiter is the package's own goroutine, so
// one wake-up is enough.
type flusher struct {
	mu      sync.Mutex
	pending int
	poke    chan struct{}
	stopped bool
}

func newFlusher() *flusher {
	f := &flusher{poke: make(chan struct{}, 1)}
	go f.loop()
	return f
}

func (f *flusher) loop() {
	for {
		f.mu.Lock()
		if f.stopped {
			f.mu.Unlock()
			return
		}
		f.pending = 0
		f.mu.Unlock()
		<-f.poke
	}
}

// Stop ends the flusher.
func (f *flusher) Stop() {
	f.mu.Lock()
	f.stopped = true
	f.mu.Unlock()
	select {
	case f.poke <- struct{}{}:
	default:
	}
}
