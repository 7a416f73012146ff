// Package fixed is the fixed version of lockheld/viamgoutils_353: Stop
// unlocks the mutex before returning early for an already stopped group.
package fixed

import (
	"context"
	"sync"
	"time"
)

// StoppableWorkers is a collection of goroutines that can be stopped later.
type StoppableWorkers struct {
	// mu is write-locked by Stop and read-locked by Add, so that every Add
	// that started a goroutine has counted it before Stop waits.
	mu         sync.RWMutex
	ctx        context.Context
	cancelFunc func()

	workers sync.WaitGroup
}

// NewBackgroundStoppableWorkers starts the given workers.
func NewBackgroundStoppableWorkers(workers ...func(context.Context)) *StoppableWorkers {
	ctx, cancel := context.WithCancel(context.Background())
	sw := &StoppableWorkers{ctx: ctx, cancelFunc: cancel}
	for _, w := range workers {
		sw.Add(w)
	}
	return sw
}

// Add starts worker in a goroutine, unless the group is stopped. Workers
// must return when their context is done.
func (sw *StoppableWorkers) Add(worker func(context.Context)) {
	sw.mu.RLock()
	if sw.ctx.Err() != nil {
		sw.mu.RUnlock()
		return
	}
	sw.workers.Add(1)
	sw.mu.RUnlock()

	go func() {
		defer sw.workers.Done()
		worker(sw.ctx)
	}()
}

// Stop idempotently shuts down all the goroutines and waits for them.
func (sw *StoppableWorkers) Stop() {
	sw.mu.Lock()
	if sw.ctx.Err() != nil {
		sw.mu.Unlock()
		return
	}
	sw.cancelFunc()
	sw.mu.Unlock()
	sw.workers.Wait()
}

// Context returns the workers' context.
func (sw *StoppableWorkers) Context() context.Context { return sw.ctx }

// Poller polls a sensor in the background.
type Poller struct {
	workers *StoppableWorkers
	mu      sync.Mutex
	last    float64
	read    func() float64
}

// NewPoller starts polling read every interval.
func NewPoller(read func() float64, interval time.Duration) *Poller {
	p := &Poller{read: read}
	p.workers = NewBackgroundStoppableWorkers(func(ctx context.Context) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				v := p.read()
				p.mu.Lock()
				p.last = v
				p.mu.Unlock()
			}
		}
	})
	return p
}

// Refresh polls once more in the background.
func (p *Poller) Refresh() {
	p.workers.Add(func(ctx context.Context) {
		v := p.read()
		p.mu.Lock()
		p.last = v
		p.mu.Unlock()
	})
}

// Close stops the poller; it may be called more than once.
func (p *Poller) Close() error {
	p.workers.Stop()
	return nil
}
