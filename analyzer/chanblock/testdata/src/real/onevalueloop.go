package real

import "time"

// A worker pool whose workers are one method started in a loop on one
// object (ours, the field form of stopWorkers): Stop sends one value on
// the stop field, one worker takes it and returns, and every other worker
// keeps waiting for a stop that never comes. Fix: close(p.stop).
type tickPool struct{ stop chan struct{} }

func newTickPool(n int) *tickPool {
	p := &tickPool{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		go p.work()
	}
	return p
}

func (p *tickPool) work() {
	for {
		select {
		case <-p.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (p *tickPool) Stop() { p.stop <- struct{}{} } // want `one value is sent on field stop of tickPool, but 2 or more goroutines wait for it and can return only after receiving from field stop of tickPool \(line \d+, started in a loop\)`

type tickPoolFixed struct{ stop chan struct{} }

func newTickPoolFixed(n int) *tickPoolFixed {
	p := &tickPoolFixed{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		go p.work()
	}
	return p
}

func (p *tickPoolFixed) work() {
	for {
		select {
		case <-p.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (p *tickPoolFixed) Stop() { close(p.stop) }

// The same pool started from a Start method rather than the constructor.
type startPool struct{ stop chan struct{} }

func newStartPool() *startPool { return &startPool{stop: make(chan struct{})} }

func (p *startPool) Start(n int) {
	for i := 0; i < n; i++ {
		go p.work()
	}
}

func (p *startPool) work() {
	for {
		select {
		case <-p.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (p *startPool) Stop() { p.stop <- struct{}{} } // want `one value is sent on field stop of startPool, but 2 or more goroutines wait for it`
