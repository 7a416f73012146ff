// Package fixed is the fixed version of cond/kubernetes_90825: closed is
// guarded by the queue lock, which Close holds while it broadcasts and
// Pop holds from its check to its Wait.
package fixed

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
	// queue is closed and empty. Guarded by lock.
	closed bool
}

// NewDeltaFIFO returns an empty queue.
func NewDeltaFIFO() *DeltaFIFO {
	f := &DeltaFIFO{items: map[string]Deltas{}}
	f.cond.L = &f.lock
	return f
}

// Close closes the queue.
func (f *DeltaFIFO) Close() {
	f.lock.Lock()
	defer f.lock.Unlock()
	f.closed = true
	f.cond.Broadcast()
}

// IsClosed checks if the queue is closed.
func (f *DeltaFIFO) IsClosed() bool {
	f.lock.RLock()
	defer f.lock.RUnlock()
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
			if f.closed {
				return nil, ErrFIFOClosed
			}
			f.cond.Wait()
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
	<-done
}
