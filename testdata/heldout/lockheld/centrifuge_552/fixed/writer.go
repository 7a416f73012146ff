// Package fixed is the fixed version of lockheld/centrifuge_552: the
// batching path's early return unlocks the writer's mutex.
package fixed

import (
	"sync"
	"time"
)

// Item is one queued frame.
type Item struct {
	Data []byte
}

// Queue is an unbounded queue of items.
type Queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []Item
	closed bool
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	q := &Queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// Add appends an item; false if the queue is closed.
func (q *Queue) Add(it Item) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.items = append(q.items, it)
	q.cond.Signal()
	return true
}

// Wait waits until the queue has an item or is closed; false if closed.
func (q *Queue) Wait() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for !q.closed && len(q.items) == 0 {
		q.cond.Wait()
	}
	return !q.closed
}

// RemoveMany takes up to max items; false if there were none.
func (q *Queue) RemoveMany(max int) ([]Item, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil, false
	}
	n := len(q.items)
	if max > 0 && n > max {
		n = max
	}
	out := q.items[:n:n]
	q.items = q.items[n:]
	return out, true
}

// Close closes the queue and wakes its waiters.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// Closed says whether Close was called.
func (q *Queue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

type writerConfig struct {
	WriteManyFn func(...Item) error
	WriteFn     func(Item) error
}

type writer struct {
	mu       sync.Mutex
	config   writerConfig
	messages *Queue
	closed   bool
	closeCh  chan struct{}
}

func newWriter(config writerConfig) *writer {
	return &writer{config: config, messages: NewQueue(), closeCh: make(chan struct{})}
}

func (w *writer) waitSendMessage(maxMessagesInFrame int, writeDelay time.Duration) bool {
	if !w.messages.Wait() {
		return false
	}

	if writeDelay > 0 {
		tm := time.NewTimer(writeDelay)
		select {
		case <-tm.C:
		case <-w.closeCh:
			tm.Stop()
			return false
		}
		w.mu.Lock()
		items, ok := w.messages.RemoveMany(maxMessagesInFrame)
		if !ok {
			w.mu.Unlock()
			return !w.messages.Closed()
		}
		var writeErr error
		if len(items) == 1 {
			writeErr = w.config.WriteFn(items[0])
		} else {
			writeErr = w.config.WriteManyFn(items...)
		}
		w.mu.Unlock()
		return writeErr == nil
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	items, ok := w.messages.RemoveMany(maxMessagesInFrame)
	if !ok {
		return !w.messages.Closed()
	}
	var writeErr error
	if len(items) == 1 {
		writeErr = w.config.WriteFn(items[0])
	} else {
		writeErr = w.config.WriteManyFn(items...)
	}
	return writeErr == nil
}

func (w *writer) run(writeDelay time.Duration, maxMessagesInFrame int) {
	for {
		if ok := w.waitSendMessage(maxMessagesInFrame, writeDelay); !ok {
			return
		}
	}
}

func (w *writer) enqueue(item Item) bool {
	return w.messages.Add(item)
}

func (w *writer) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	w.messages.Close()
	close(w.closeCh)
	return nil
}
