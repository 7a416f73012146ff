package stuckmap

import (
	"errors"
	"sync"
)

var errUnknown = errors.New("unknown call")

// Calls registers a reply channel per call; its reply goroutine finds the
// channel by the same id, removes it and sends the reply (room for one):
// the waiter gets it. Silent.
type Calls struct {
	mu      sync.Mutex
	pending map[int]chan string
}

// Begin starts call id.
func (c *Calls) Begin(id int) {
	ch := make(chan string, 1)
	c.mu.Lock()
	c.pending[id] = ch
	c.mu.Unlock()
	go c.reply(id)
}

func (c *Calls) reply(id int) {
	c.mu.Lock()
	ch, ok := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if !ok {
		return
	}
	ch <- "done"
}

// Await waits for the reply to call id.
func (c *Calls) Await(id int) (string, error) {
	c.mu.Lock()
	ch, ok := c.pending[id]
	c.mu.Unlock()
	if !ok {
		return "", errUnknown
	}
	return <-ch, nil
}

// Hub's waiters are woken only by Close, which closes every registered
// channel: a Wait is the caller's business until then. Silent.
type Hub struct {
	mu      sync.Mutex
	waiters map[string]chan struct{}
}

// Register adds a waiter under name.
func (h *Hub) Register(name string) {
	ch := make(chan struct{})
	h.mu.Lock()
	h.waiters[name] = ch
	h.mu.Unlock()
}

// Wait waits for the waiter under name.
func (h *Hub) Wait(name string) {
	h.mu.Lock()
	ch, ok := h.waiters[name]
	h.mu.Unlock()
	if ok {
		<-ch
	}
}

// Close wakes every waiter.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, ch := range h.waiters {
		close(ch)
		delete(h.waiters, name)
	}
}

// Once runs fn once per key; a second call for a key in flight waits.
// The first removes the entry and closes the channel on every path, a
// blank identifier standing for the value it does not need. Silent.
type Once struct {
	mu     sync.Mutex
	flight map[string]chan struct{}
}

// Do runs fn for key, or waits for the run in flight.
func (o *Once) Do(key string, fn func() error) error {
	o.mu.Lock()
	if ch, ok := o.flight[key]; ok {
		o.mu.Unlock()
		<-ch
		return nil
	}
	ch := make(chan struct{})
	o.flight[key] = ch
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		if _, ok := o.flight[key]; ok {
			delete(o.flight, key)
		}
		o.mu.Unlock()
		close(ch)
	}()
	return fn()
}

// Exposed hands its map out: other code may close what it holds, so the
// failed job's open channel is not the checker's to report. Silent.
type Exposed struct {
	mu      sync.Mutex
	pending map[string]chan struct{}
}

// Submit runs t under name.
func (p *Exposed) Submit(name string, t task) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.pending[name] = ch
	p.mu.Unlock()
	go func() {
		if t.Do() != nil {
			return
		}
		close(ch)
	}()
}

// Pending hands out the map.
func (p *Exposed) Pending() map[string]chan struct{} { return p.pending }

// Await waits for the task under name, if one is pending.
func (p *Exposed) Await(name string) {
	p.mu.Lock()
	ch, ok := p.pending[name]
	p.mu.Unlock()
	if ok {
		<-ch
	}
}

// Adopted stores channels it is given: their origin is unknown. Silent.
type Adopted struct {
	mu      sync.Mutex
	pending map[string]chan struct{}
}

// Adopt registers ch under name.
func (p *Adopted) Adopt(name string, ch chan struct{}) {
	p.mu.Lock()
	p.pending[name] = ch
	p.mu.Unlock()
}

// Await waits for the channel under name, if one is registered.
func (p *Adopted) Await(name string) {
	p.mu.Lock()
	ch, ok := p.pending[name]
	p.mu.Unlock()
	if ok {
		<-ch
	}
}

// Batch waits for several names, skipping those not registered and
// stopping at an empty name; every job closes its channel. Silent.
type Batch struct {
	mu   sync.Mutex
	done map[string]chan struct{}
}

// Start starts the job under name.
func (b *Batch) Start(name string, t task) {
	ch := make(chan struct{})
	b.mu.Lock()
	b.done[name] = ch
	b.mu.Unlock()
	go func() {
		defer close(ch)
		_ = t.Do()
	}()
}

// WaitAll waits for the jobs under names.
func (b *Batch) WaitAll(names []string) {
	for _, name := range names {
		if name == "" {
			break
		}
		b.mu.Lock()
		ch, ok := b.done[name]
		b.mu.Unlock()
		if !ok {
			continue
		}
		<-ch
	}
}

// Tickets keys its entries by a counter of its own: a caller cannot
// name the key another call stored under, so the checker does not take
// two calls' keys to be one, and gives up. Silent, though the failed
// job leaves its channel open.
type Tickets struct {
	mu      sync.Mutex
	next    int
	pending map[int]chan struct{}
}

// Open starts t under a new ticket.
func (p *Tickets) Open(t task) {
	ch := make(chan struct{})
	p.mu.Lock()
	id := p.next
	p.next++
	p.pending[id] = ch
	p.mu.Unlock()
	go func() {
		if t.Do() != nil {
			return
		}
		close(ch)
	}()
}

// AwaitLast waits for the newest ticket.
func (p *Tickets) AwaitLast() {
	p.mu.Lock()
	ch, ok := p.pending[p.next-1]
	p.mu.Unlock()
	if ok {
		<-ch
	}
}

// Stats checks and registers under one lock, and after removing the entry
// takes the lock again to count before it closes: a second caller that
// finds no entry registers its own under that lock and releases it. The
// owner always closes; every waiter wakes. Silent.
type Stats struct {
	mu    sync.Mutex
	runs  map[string]chan struct{}
	count int
}

// Run runs t under name, or waits for the run in flight.
func (s *Stats) Run(name string, t task) {
	s.mu.Lock()
	if ch, ok := s.runs[name]; ok {
		s.mu.Unlock()
		<-ch
		return
	}
	ch := make(chan struct{})
	s.runs[name] = ch
	s.mu.Unlock()
	_ = t.Do()
	s.mu.Lock()
	delete(s.runs, name)
	s.mu.Unlock()
	s.mu.Lock()
	s.count++
	s.mu.Unlock()
	close(ch)
}
