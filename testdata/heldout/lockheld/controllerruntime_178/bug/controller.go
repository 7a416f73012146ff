// Package bug is a held-out kernel (issue 14): Start holds the controller's
// mutex until its stop channel closes, so Watch blocks for the
// controller's whole life.
//
// Upstream: kubernetes-sigs/controller-runtime#178 ("do not hold the lock after controller has started"; the symptom is kubernetes-sigs/controller-runtime#329, "Watching resources after a controller has started")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: Controller.Start takes c.mu with a deferred unlock, starts the
// watches and the workers, then waits on <-stop. Watch takes c.mu, so a
// meta-controller that adds a watch from a reconcile (after Start) blocks
// until the manager stops, and its worker with it.
//
// Fix: Start releases c.mu once the controller is started, before it waits
// on the stop channel.
package bug

import "sync"

// Source is an event source a controller watches.
type Source interface {
	Start(handler func(obj string), queue chan<- string) error
}

// Controller runs reconcilers for the events of its watches.
type Controller struct {
	Name       string
	Do         func(req string) error
	MaxWorkers int
	mu         sync.Mutex
	started    bool
	Queue      chan string
	watches    []Source
	SetFields  func(any) error
}

// Watch starts watching src, also after the controller has started.
func (c *Controller) Watch(src Source, handler func(obj string)) error {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	if err := c.SetFields(src); err != nil {
		return err
	}
	c.watches = append(c.watches, src)
	if !c.started {
		return nil
	}
	return src.Start(handler, c.Queue)
}

// Start starts the watches and the workers and blocks until stop closes.
func (c *Controller) Start(stop <-chan struct{}) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.watches {
		if err := w.Start(func(string) {}, c.Queue); err != nil {
			return err
		}
	}
	for i := 0; i < c.MaxWorkers; i++ {
		go c.worker(stop)
	}
	c.started = true
	<-stop // heldout:site
	return nil
}

func (c *Controller) worker(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case req := <-c.Queue:
			_ = c.Do(req)
		}
	}
}
