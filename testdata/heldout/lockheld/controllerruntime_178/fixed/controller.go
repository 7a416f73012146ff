// Package fixed is the fixed version of lockheld/controllerruntime_178: Start
// releases c.mu before it waits for stop.
package fixed

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
	c.mu.Lock()
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
	for _, w := range c.watches {
		if err := w.Start(func(string) {}, c.Queue); err != nil {
			c.mu.Unlock()
			return err
		}
	}
	for i := 0; i < c.MaxWorkers; i++ {
		go c.worker(stop)
	}
	c.started = true
	c.mu.Unlock()
	<-stop
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
