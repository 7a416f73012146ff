// Package bug is a held-out kernel (issue 14): a Cond.Wait that nothing
// signals once the producer has stopped.
//
// Upstream: kubernetes/kubernetes#28158 ("Closing a stopChannel does not stop a controller")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the controller's processLoop calls DeltaFIFO.Pop, which waits on
// f.cond while the queue is empty; only Add signals the cond. Closing the
// controller's stop channel stops the reflector (the only producer), so
// the goroutine in Pop waits forever ("sync.(*Cond).Wait ...
// (*DeltaFIFO).Pop").
//
// Fix: DeltaFIFO gets Close, which marks the queue closed and broadcasts;
// Pop returns ErrFIFOClosed on a closed, empty queue, and the controller
// closes the queue when its stop channel closes.
package bug

import "sync"

// DeltaFIFO is a producer-consumer queue of object changes.
type DeltaFIFO struct {
	lock  sync.RWMutex
	cond  sync.Cond
	items map[string][]string
	queue []string
}

// NewDeltaFIFO returns an empty queue.
func NewDeltaFIFO() *DeltaFIFO {
	f := &DeltaFIFO{items: map[string][]string{}}
	f.cond.L = &f.lock
	return f
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

// Pop blocks until an item is queued and processes it.
func (f *DeltaFIFO) Pop(process func([]string) error) ([]string, error) {
	f.lock.Lock()
	defer f.lock.Unlock()
	for {
		for len(f.queue) == 0 {
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
		c.queue.Pop(func([]string) error { return nil })
	}
}

// Run runs the controller until stopCh closes.
func (c *Controller) Run(stopCh <-chan struct{}) {
	go c.reflect(stopCh)
	go c.processLoop()
	<-stopCh
}
