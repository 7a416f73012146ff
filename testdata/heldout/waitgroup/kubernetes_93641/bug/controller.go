// Package bug is a held-out kernel (issue 14): client-go's informer
// controller defers wg.Wait() for its reflector goroutine, which only
// returns when stopCh is closed; when an event handler panics inside
// processLoop, the panic unwinds into Run's deferred Wait, which blocks
// until stopCh is closed at shutdown, so the process neither crashes nor
// makes progress.
//
// Upstream: kubernetes/kubernetes#93641 ("Panic in event handler will be blocked by defer func but it should propagate up")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: controller.Run starts a goroutine closing the queue on stopCh,
// builds the reflector, declares `var wg wait.Group; defer wg.Wait()`,
// starts the reflector with wg.StartWithChannel(stopCh, r.Run) and runs
// wait.Until(c.processLoop, time.Second, stopCh). processLoop pops deltas
// and calls the user's Process (the informer's event handlers). wait.Until
// wraps each call in HandleCrash, which logs and re-panics, so a panicking
// handler unwinds out of Until into Run's deferred wg.Wait(); the reflector
// goroutine in the group only returns once stopCh is closed, which for a
// daemon happens only at shutdown: instead of crashing (and being
// restarted), the process sits in Wait handling nothing. The reporter
// found it parked in WaitGroup.Wait under runtime.gopanic with dlv (also
// kubernetes#73089, client-go#838). wait.Group, wait.Until, HandleCrash,
// the reflector and the DeltaFIFO are reduced to small in-package
// versions; the FIFO is channel-based here.
//
// Fix (kubernetes/kubernetes#93646): the deferred function recovers a
// panic and re-panics before waiting, so a panic propagates up and only a
// normal return waits for the reflector.
package bug

import (
	"errors"
	"log"
	"sync"
	"time"
)

// HandleCrash logs a panic and re-raises it.
func HandleCrash() {
	if r := recover(); r != nil {
		log.Printf("Observed a panic: %v", r)
		panic(r)
	}
}

// Group runs functions in goroutines and waits for them (wait.Group).
type Group struct {
	wg sync.WaitGroup
}

// Wait waits for all started functions.
func (g *Group) Wait() {
	g.wg.Wait()
}

// StartWithChannel runs f(stopCh) in a new goroutine in the group.
func (g *Group) StartWithChannel(stopCh <-chan struct{}, f func(stopCh <-chan struct{})) {
	g.Start(func() {
		f(stopCh)
	})
}

// Start runs f in a new goroutine in the group.
func (g *Group) Start(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f()
	}()
}

// Until runs f every period until stopCh is closed (wait.Until).
func Until(f func(), period time.Duration, stopCh <-chan struct{}) {
	for {
		select {
		case <-stopCh:
			return
		default:
		}
		func() {
			defer HandleCrash()
			f()
		}()
		select {
		case <-stopCh:
			return
		case <-time.After(period):
		}
	}
}

// ErrFIFOClosed is returned by Pop once the queue is closed.
var ErrFIFOClosed = errors.New("DeltaFIFO: manipulating with closed queue")

// fifo is the controller's queue of deltas.
type fifo struct {
	items     chan interface{}
	closed    chan struct{}
	closeOnce sync.Once
}

func newFIFO() *fifo {
	return &fifo{items: make(chan interface{}, 100), closed: make(chan struct{})}
}

// Add queues obj unless the queue is closed.
func (f *fifo) Add(obj interface{}) {
	select {
	case f.items <- obj:
	case <-f.closed:
	}
}

// Pop waits for an item and processes it.
func (f *fifo) Pop(process func(interface{}) error) (interface{}, error) {
	select {
	case obj := <-f.items:
		return obj, process(obj)
	case <-f.closed:
		return nil, ErrFIFOClosed
	}
}

// Close makes Pop return ErrFIFOClosed.
func (f *fifo) Close() {
	f.closeOnce.Do(func() { close(f.closed) })
}

// ListerWatcher lists the watched objects.
type ListerWatcher interface {
	List() ([]interface{}, error)
}

// Reflector keeps the queue in step with the server.
type Reflector struct {
	lw           ListerWatcher
	store        *fifo
	resyncPeriod time.Duration
}

// Run lists and watches until stopCh is closed.
func (r *Reflector) Run(stopCh <-chan struct{}) {
	Until(func() {
		if err := r.ListAndWatch(stopCh); err != nil {
			log.Printf("ListAndWatch: %v", err)
		}
	}, time.Second, stopCh)
}

// ListAndWatch lists, then relists every resync period, until stopCh.
func (r *Reflector) ListAndWatch(stopCh <-chan struct{}) error {
	resync := time.NewTicker(r.resyncPeriod)
	defer resync.Stop()
	for {
		items, err := r.lw.List()
		if err != nil {
			return err
		}
		for _, it := range items {
			r.store.Add(it)
		}
		select {
		case <-stopCh:
			return nil
		case <-resync.C:
		}
	}
}

// Config configures the controller.
type Config struct {
	Queue         *fifo
	ListerWatcher ListerWatcher
	Process       func(obj interface{}) error
}

type controller struct {
	config Config
}

// Run runs the controller until stopCh is closed.
func (c *controller) Run(stopCh <-chan struct{}) {
	defer HandleCrash()
	go func() {
		<-stopCh
		c.config.Queue.Close()
	}()
	r := &Reflector{lw: c.config.ListerWatcher, store: c.config.Queue, resyncPeriod: 30 * time.Second}

	var wg Group
	defer wg.Wait() // heldout:site

	wg.StartWithChannel(stopCh, r.Run) // heldout:site

	Until(c.processLoop, time.Second, stopCh)
}

func (c *controller) processLoop() {
	for {
		_, err := c.config.Queue.Pop(c.config.Process)
		if err != nil {
			if err == ErrFIFOClosed {
				return
			}
		}
	}
}

// runInformer is the caller: stopCh is closed when the process is asked
// to shut down, which for a daemon is the only time it is closed.
func runInformer(lw ListerWatcher, handler func(obj interface{}) error, shutdown <-chan struct{}) {
	stopCh := make(chan struct{})
	go func() {
		<-shutdown
		close(stopCh)
	}()
	c := &controller{config: Config{Queue: newFIFO(), ListerWatcher: lw, Process: handler}}
	c.Run(stopCh)
}
