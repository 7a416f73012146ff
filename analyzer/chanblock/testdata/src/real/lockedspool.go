package real

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Upstream: open-telemetry/opentelemetry-collector#11063. A queue's Offer
// holds the queue mutex while it sends into a bounded channel kept in a
// generic wrapper; a consumer, after each receive, needs that mutex (in
// the callback it hands to the wrapper's take) before it can take the
// next element. Once the size accounting lets the channel fill, the
// sender blocks holding the mutex and every consumer waits for it.

var errSpoolFull = errors.New("spool full")

type boundedChan[T any] struct {
	used  atomic.Int64
	limit int64
	ch    chan T
}

func newBoundedChan[T any](limit int64, room int) *boundedChan[T] {
	return &boundedChan[T]{limit: limit, ch: make(chan T, room)}
}

func (b *boundedChan[T]) put(v T) error {
	if b.used.Add(1) > b.limit {
		b.used.Add(-1)
		return errSpoolFull
	}
	b.ch <- v
	return nil
}

func (b *boundedChan[T]) take(settle func(T) bool) (T, bool) {
	v, ok := <-b.ch
	if !ok {
		return v, false
	}
	if settle(v) {
		b.used.Add(-1)
	}
	return v, true
}

func (b *boundedChan[T]) resync() { b.used.Store(int64(len(b.ch))) }

func (b *boundedChan[T]) end() { close(b.ch) }

type diskSpool struct {
	q     *boundedChan[uint64]
	mu    sync.Mutex
	next  uint64
	store map[uint64][]byte
}

func newDiskSpool(n int64) *diskSpool {
	return &diskSpool{q: newBoundedChan[uint64](n, int(n)), store: map[uint64][]byte{}}
}

// Offer stores data and queues its index.
func (s *diskSpool) Offer(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store[s.next] = data
	s.next++
	return s.q.put(s.next - 1) // want `this call sends \(line \d+\) on field ch holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
}

// Next hands the next stored data to fn.
func (s *diskSpool) Next(fn func([]byte)) bool {
	for {
		var data []byte
		_, ok := s.q.take(func(i uint64) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			data = s.store[i]
			delete(s.store, i)
			return data != nil
		})
		if !ok {
			return false
		}
		if data != nil {
			fn(data)
			return true
		}
	}
}

func (s *diskSpool) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.q.end()
}

// The fix: the wrapper's put gives up when the channel is full instead of
// waiting for room with the caller's mutex held.
type boundedChanFixed[T any] struct {
	ch chan T
}

func (b *boundedChanFixed[T]) put(v T) error {
	select {
	case b.ch <- v:
		return nil
	default:
		return errSpoolFull
	}
}

func (b *boundedChanFixed[T]) take(settle func(T) bool) (T, bool) {
	v, ok := <-b.ch
	if ok {
		settle(v)
	}
	return v, ok
}

type diskSpoolFixed struct {
	q     *boundedChanFixed[uint64]
	mu    sync.Mutex
	store map[uint64][]byte
}

func newDiskSpoolFixed(n int) *diskSpoolFixed {
	return &diskSpoolFixed{q: &boundedChanFixed[uint64]{ch: make(chan uint64, n)}, store: map[uint64][]byte{}}
}

func (s *diskSpoolFixed) Offer(i uint64, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.store[i] = data
	return s.q.put(i)
}

func (s *diskSpoolFixed) Next(fn func([]byte)) bool {
	for {
		var data []byte
		_, ok := s.q.take(func(i uint64) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			data = s.store[i]
			return data != nil
		})
		if !ok {
			return false
		}
		if data != nil {
			fn(data)
			return true
		}
	}
}

// A variant written differently: no generics, no callback; the consumer
// is an exported loop (run by the caller's goroutines) that takes the
// mutex after each receive to account for the item.
type meteredQueue struct {
	mu      sync.Mutex
	pending int
	items   chan string
}

func newMeteredQueue(n int) *meteredQueue {
	return &meteredQueue{items: make(chan string, n)}
}

// Push queues s.
func (q *meteredQueue) Push(s string) {
	q.mu.Lock()
	q.pending++
	q.items <- s // want `this send on field items holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
	q.mu.Unlock()
}

// Run consumes the queue until it is closed.
func (q *meteredQueue) Run(handle func(string)) {
	for s := range q.items {
		handle(s)
		q.mu.Lock()
		q.pending--
		q.mu.Unlock()
	}
}

// Look-alike: the consumer's loop never takes the sender's mutex (it
// accounts with an atomic), so the sender's wait ends when it receives.
type atomicQueue struct {
	mu      sync.Mutex
	pending atomic.Int64
	items   chan string
}

func newAtomicQueue(n int) *atomicQueue {
	return &atomicQueue{items: make(chan string, n)}
}

func (q *atomicQueue) Push(s string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending.Add(1)
	q.items <- s
}

func (q *atomicQueue) Run(handle func(string)) {
	for s := range q.items {
		handle(s)
		q.pending.Add(-1)
	}
}

// An unexported consumer loop the package never calls or starts itself
// is run by code that reaches it another way (a handler served through
// an interface or registered as a value, a caller a reduction dropped):
// it is a receiver like a started one (decred/cspp#26).
type idleQueue struct {
	mu    sync.Mutex
	items chan string
}

func newIdleQueue(n int) *idleQueue { return &idleQueue{items: make(chan string, n)} }

func (q *idleQueue) Push(s string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items <- s // want `this send on field items holds mutex field mu`
}

func (q *idleQueue) run() {
	for s := range q.items {
		q.mu.Lock()
		_ = s
		q.mu.Unlock()
	}
}
