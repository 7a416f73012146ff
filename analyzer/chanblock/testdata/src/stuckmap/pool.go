package stuckmap

import "sync"

type task interface{ Do() error }

// Pool's job goroutine gives up on a failed step by removing the entry,
// without closing the channel a waiter may already have taken from it.
type Pool struct {
	mu      sync.Mutex
	pending map[string]chan struct{}
}

// Submit runs t under name.
func (p *Pool) Submit(name string, t task) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.pending[name] = ch
	p.mu.Unlock()
	go p.run(name, t, ch)
}

func (p *Pool) run(name string, t task, ch chan struct{}) {
	if err := t.Do(); err != nil {
		p.mu.Lock()
		delete(p.pending, name)
		p.mu.Unlock()
		return
	}
	p.mu.Lock()
	delete(p.pending, name)
	p.mu.Unlock()
	close(ch)
}

// Await waits for the task under name, if one is pending.
func (p *Pool) Await(name string) {
	p.mu.Lock()
	ch := p.pending[name]
	p.mu.Unlock()
	if ch == nil {
		return
	}
	<-ch // want `this receive can block forever`
}

// FixedPool closes the channel on the failed step too.
type FixedPool struct {
	mu      sync.Mutex
	pending map[string]chan struct{}
}

// Submit runs t under name.
func (p *FixedPool) Submit(name string, t task) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.pending[name] = ch
	p.mu.Unlock()
	go p.run(name, t, ch)
}

func (p *FixedPool) run(name string, t task, ch chan struct{}) {
	defer close(ch)
	if err := t.Do(); err != nil {
		p.mu.Lock()
		delete(p.pending, name)
		p.mu.Unlock()
		return
	}
	p.mu.Lock()
	delete(p.pending, name)
	p.mu.Unlock()
}

// Await waits for the task under name, if one is pending.
func (p *FixedPool) Await(name string) {
	p.mu.Lock()
	ch := p.pending[name]
	p.mu.Unlock()
	if ch == nil {
		return
	}
	<-ch
}
