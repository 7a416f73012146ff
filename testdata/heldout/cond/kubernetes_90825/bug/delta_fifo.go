// Package bug is a held-out kernel (issue 14): client-go's DeltaFIFO,
// whose Pop waits on a sync.Cond (over the queue lock) for an item or
// for Close; Close sets the closed flag under a separate closedLock and
// broadcasts without holding the queue lock, so its Broadcast can fall
// between Pop's closed check and Pop's Wait, and the consumer sleeps for
// ever on an empty queue that is already closed.
//
// Upstream: kubernetes/kubernetes#90825 ("Fix race condition between Pop and Close FIFO queue", issue kubernetes/kubernetes#90581)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the issue: "When (*DeltaFIFO).Pop() and (*DeltaFIFO).Close() are
// invoked concurrently on an empty queue, the f.cond.Wait() in
// (*DeltaFIFO).Pop() may miss the signal from (*DeltaFIFO).Close()" —
// Pop holds f.lock and checks IsClosed (which takes closedLock) before
// Wait, while Close takes only closedLock, so nothing orders Close's
// Broadcast after Pop's Wait. Deltas, the key function, the known-objects
// store and Replace/Resync are reduced to Add and Pop; the controller's
// processLoop and the goroutine that closes the queue when the stop
// channel closes are kept.
//
// Fix: closed is guarded by the queue lock itself: Close takes f.lock to
// set it and broadcast, and Pop reads it under the lock it already holds,
// so the Broadcast cannot fall between the check and the Wait.
package bug

import (
	"errors"
	"sync"
)

// ErrFIFOClosed is returned by Pop on a closed queue.
var ErrFIFOClosed = errors.New("DeltaFIFO: manipulating with closed queue")

// Deltas is the list of changes to one object.
type Deltas []string

// PopProcessFunc handles an item popped from the queue.
type PopProcessFunc func(interface{}) error

// DeltaFIFO is a producer-consumer queue of object changes.
type DeltaFIFO struct {
	// lock/cond protects access to items and queue.
	lock sync.RWMutex
	cond sync.Cond

	items map[string]Deltas
	queue []string

	// Indication the queue is closed; used to let Pop return when the
	// queue is closed and empty.
	closed     bool
	closedLock sync.Mutex
}

// NewDeltaFIFO returns an empty queue.
func NewDeltaFIFO() *DeltaFIFO {
	f := &DeltaFIFO{items: map[string]Deltas{}}
	f.cond.L = &f.lock
	return f
}

// Close closes the queue.
func (f *DeltaFIFO) Close() {
	f.closedLock.Lock()
	defer f.closedLock.Unlock()
	f.closed = true
	f.cond.Broadcast() // heldout:site
}

// IsClosed checks if the queue is closed.
func (f *DeltaFIFO) IsClosed() bool {
	f.closedLock.Lock()
	defer f.closedLock.Unlock()
	return f.closed
}

// Add records an added object.
func (f *DeltaFIFO) Add(id, delta string) {
	f.lock.Lock()
	defer f.lock.Unlock()
	if _, ok := f.items[id]; !ok {
		f.queue = append(f.queue, id)
	}
	f.items[id] = append(f.items[id], delta)
	f.cond.Broadcast()
}

// Pop blocks until an item is queued, then processes it under the lock.
func (f *DeltaFIFO) Pop(process PopProcessFunc) (interface{}, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	for {
		for len(f.queue) == 0 {
			// When the queue is empty, Pop blocks until an item is
			// enqueued; Close sets closed and broadcasts, which lets this
			// loop return.
			if f.IsClosed() {
				return nil, ErrFIFOClosed
			}
			f.cond.Wait() // heldout:site
		}
		id := f.queue[0]
		f.queue = f.queue[1:]
		item, ok := f.items[id]
		if !ok {
			continue
		}
		delete(f.items, id)
		return item, process(item)
	}
}

// controller pops and handles the queue's items until it is closed.
type controller struct {
	queue   *DeltaFIFO
	process PopProcessFunc
}

// Run processes items until stopCh is closed.
func (c *controller) Run(stopCh <-chan struct{}) {
	go func() {
		<-stopCh
		c.queue.Close()
	}()
	c.processLoop()
}

func (c *controller) processLoop() {
	for {
		_, err := c.queue.Pop(c.process)
		if errors.Is(err, ErrFIFOClosed) {
			return
		}
	}
}

// RunAndStop starts a controller on an empty queue and stops it.
func RunAndStop() {
	c := &controller{queue: NewDeltaFIFO(), process: func(interface{}) error { return nil }}
	stopCh := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(stopCh)
	}()
	close(stopCh)
	<-done // heldout:site
}
