// Package fixed is the fixed version of cond/kubernetes_28158: the queue can
// be closed, which wakes Pop for good.
package fixed

import (
	"errors"
	"sync"
)

// ErrFIFOClosed is Pop's error on a closed, empty queue.
var ErrFIFOClosed = errors.New("DeltaFIFO: manipulating with closed queue")

// DeltaFIFO is a producer-consumer queue of object changes.
type DeltaFIFO struct {
	lock   sync.RWMutex
	cond   sync.Cond
	items  map[string][]string
	queue  []string
	closed bool
}

// NewDeltaFIFO returns an empty queue.
func NewDeltaFIFO() *DeltaFIFO {
	f := &DeltaFIFO{items: map[string][]string{}}
	f.cond.L = &f.lock
	return f
}

// Close closes the queue and wakes every Pop.
func (f *DeltaFIFO) Close() {
	f.lock.Lock()
	defer f.lock.Unlock()
	f.closed = true
	f.cond.Broadcast()
}

// Add queues a change.
func (f *DeltaFIFO) Add(key, delta string) {
	f.lock.Lock()
	defer f.lock.Unlock()
	if _, exists := f.items[key]; !exists {
		f.queue = append(f.queue, key)
	}
	f.items[key] = append(f.items[key], delta)
	f.cond.Broadcast()
}

// Pop blocks until an item is queued or the queue is closed.
func (f *DeltaFIFO) Pop(process func([]string) error) ([]string, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	for {
		for len(f.queue) == 0 {
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

// Controller feeds a queue from a reflector and processes it.
type Controller struct {
	queue  *DeltaFIFO
	events <-chan string
}

func (c *Controller) reflect(stopCh <-chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		case e := <-c.events:
			c.queue.Add(e, "update")
		}
	}
}

func (c *Controller) processLoop() {
	for {
		if _, err := c.queue.Pop(func([]string) error { return nil }); errors.Is(err, ErrFIFOClosed) {
			return
		}
	}
}

// Run runs the controller until stopCh closes, then closes the queue.
func (c *Controller) Run(stopCh <-chan struct{}) {
	go c.reflect(stopCh)
	go c.processLoop()
	<-stopCh
	c.queue.Close()
}
