// Package bug is a held-out kernel (issue 14): a container watcher whose
// event loops stop only when the context given to Start is done; main
// passes context.Background(), and Stop never cancels anything, so after
// Stop both loops wait for ever.
//
// Upstream: kubescape/node-agent#837 ("fix(container-watcher): do not close workerChan on Stop (send-on-closed panic)")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: Start keeps the ctx it is given in cw.ctx and starts
// eventProcessingLoop (events from the tracers to the worker channel)
// and workerPoolLoop (worker channel to the worker pool), each selecting
// on cw.ctx.Done(). Stop stops the tracers and releases the pool. The
// review found that the "both loops terminate on cw.ctx.Done()"
// justification "was false as wired (context.Background() in
// cmd/main.go, no cancel in Stop())", so the loops leak once Stop has
// run, and BlockEvents' plain send on the worker channel can block for
// ever once the consumer is gone. The PR's other half (Stop no longer
// closes workerChan) is left out; the tracers and pool are reduced.
//
// Fix: Start derives a cancellable context and keeps its cancel; Stop
// calls it first; BlockEvents' send also watches cw.ctx.Done().
package bug

import (
	"context"
	"sync"
)

// Event is one eBPF event.
type Event struct {
	ContainerID string
	Kind        string
}

// Release returns the event to its pool.
func (e *Event) Release() {}

// WorkerPool runs event handlers.
type WorkerPool struct {
	mu       sync.Mutex
	released bool
	handle   func(*Event)
}

// Invoke runs the handler unless the pool is released.
func (p *WorkerPool) Invoke(e *Event) {
	p.mu.Lock()
	released := p.released
	p.mu.Unlock()
	if !released {
		p.handle(e)
	}
}

// Release stops the pool.
func (p *WorkerPool) Release() {
	p.mu.Lock()
	p.released = true
	p.mu.Unlock()
}

// ContainerWatcher feeds tracer events to the rule handlers.
type ContainerWatcher struct {
	ctx        context.Context
	eventChan  chan *Event
	workerChan chan *Event
	workerPool *WorkerPool
	tracers    []func()
}

// New returns a watcher handling events with handle.
func New(handle func(*Event)) *ContainerWatcher {
	return &ContainerWatcher{
		eventChan:  make(chan *Event, 1000),
		workerChan: make(chan *Event, 3000),
		workerPool: &WorkerPool{handle: handle},
	}
}

// Start runs the watcher's loops until ctx is done.
func (cw *ContainerWatcher) Start(ctx context.Context) error {
	cw.ctx = ctx // heldout:site
	go cw.eventProcessingLoop()
	go cw.workerPoolLoop()
	return nil
}

func (cw *ContainerWatcher) eventProcessingLoop() {
	for {
		select {
		case <-cw.ctx.Done(): // heldout:site
			return
		case e := <-cw.eventChan:
			cw.BlockEvents(e)
		}
	}
}

func (cw *ContainerWatcher) workerPoolLoop() {
	for {
		select {
		case <-cw.ctx.Done(): // heldout:site
			return
		case e := <-cw.workerChan:
			cw.workerPool.Invoke(e)
		}
	}
}

// BlockEvents hands an event to the workers, waiting for room.
func (cw *ContainerWatcher) BlockEvents(e *Event) {
	cw.workerChan <- e
}

// Enqueue is called by the tracers.
func (cw *ContainerWatcher) Enqueue(e *Event) {
	select {
	case cw.eventChan <- e:
	default:
		e.Release()
	}
}

// Stop stops the tracers and the worker pool.
func (cw *ContainerWatcher) Stop() {
	for _, stop := range cw.tracers {
		stop()
	}
	cw.workerPool.Release()
}

func run(handle func(*Event)) {
	cw := New(handle)
	_ = cw.Start(context.Background())
	cw.Stop()
}
