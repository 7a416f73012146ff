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

type dialer interface{ Dial(addr string) error }

// Conns's dial goroutine retries, and after the third failure forgets the
// entry without closing its channel; a waiter that found it first (its
// variable shadowing an outer one) waits forever.
type Conns struct {
	mu    sync.Mutex
	ready map[string]chan struct{}
}

// Dial dials addr in the background.
func (c *Conns) Dial(addr string, d dialer) {
	ready := make(chan struct{})
	c.mu.Lock()
	c.ready[addr] = ready
	c.mu.Unlock()
	go func() {
		for i := 0; ; i++ {
			if d.Dial(addr) == nil {
				break
			}
			if i == 2 {
				c.mu.Lock()
				delete(c.ready, addr)
				c.mu.Unlock()
				return
			}
		}
		close(ready)
	}()
}

// Wait waits until addr is dialled.
func (c *Conns) Wait(addr string) {
	var ch chan struct{}
	c.mu.Lock()
	if ch, ok := c.ready[addr]; ok {
		c.mu.Unlock()
		<-ch // want `this receive can block forever`
		return
	}
	c.mu.Unlock()
	_ = ch
}

// FixedConns closes the channel when it gives up too.
type FixedConns struct {
	mu    sync.Mutex
	ready map[string]chan struct{}
}

// Dial dials addr in the background.
func (c *FixedConns) Dial(addr string, d dialer) {
	ready := make(chan struct{})
	c.mu.Lock()
	c.ready[addr] = ready
	c.mu.Unlock()
	go func() {
		defer close(ready)
		for i := 0; ; i++ {
			if d.Dial(addr) == nil {
				break
			}
			if i == 2 {
				c.mu.Lock()
				delete(c.ready, addr)
				c.mu.Unlock()
				return
			}
		}
	}()
}

// Wait waits until addr is dialled (or given up on).
func (c *FixedConns) Wait(addr string) {
	var ch chan struct{}
	c.mu.Lock()
	if ch, ok := c.ready[addr]; ok {
		c.mu.Unlock()
		<-ch
		return
	}
	c.mu.Unlock()
	_ = ch
}
