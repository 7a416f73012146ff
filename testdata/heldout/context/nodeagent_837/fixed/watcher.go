// Package fixed is the fixed version of context/nodeagent_837: Start
// derives a cancellable context and Stop cancels it first.
package fixed

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
	cancel     context.CancelFunc
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
	cw.ctx, cw.cancel = context.WithCancel(ctx)
	go cw.eventProcessingLoop()
	go cw.workerPoolLoop()
	return nil
}

func (cw *ContainerWatcher) eventProcessingLoop() {
	for {
		select {
		case <-cw.ctx.Done():
			return
		case e := <-cw.eventChan:
			cw.BlockEvents(e)
		}
	}
}

func (cw *ContainerWatcher) workerPoolLoop() {
	for {
		select {
		case <-cw.ctx.Done():
			return
		case e := <-cw.workerChan:
			cw.workerPool.Invoke(e)
		}
	}
}

// BlockEvents hands an event to the workers, waiting for room.
func (cw *ContainerWatcher) BlockEvents(e *Event) {
	select {
	case cw.workerChan <- e:
	case <-cw.ctx.Done():
		e.Release()
	}
}

// Enqueue is called by the tracers.
func (cw *ContainerWatcher) Enqueue(e *Event) {
	select {
	case cw.eventChan <- e:
	default:
		e.Release()
	}
}

// Stop ends the loops, then stops the tracers and the worker pool.
func (cw *ContainerWatcher) Stop() {
	cw.cancel()
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
