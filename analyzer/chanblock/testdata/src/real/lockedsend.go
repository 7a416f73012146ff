package real

import (
	"errors"
	"sync"
	"time"
)

// A send made while holding a mutex that the channel's receivers lock
// between two receives.

// Upstream: treeverse/lakeFS#1390 (the batch writer-closer queued each
// writer on a bounded channel while holding its mutex; the closing
// workers lock that mutex to record a close error before they take the
// next writer, so a full queue left the sender waiting with the mutex
// held and the workers waiting for it). Fix: queue with the mutex
// released. Reduced in our own words.
type closable interface{ Close() error }

type closerPool struct {
	mu    sync.Mutex
	err   error
	queue chan closable
	wg    sync.WaitGroup
}

func newCloserPool(n int) *closerPool {
	p := &closerPool{queue: make(chan closable, n)}
	p.wg.Add(n)
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *closerPool) enqueue(c closable) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	p.queue <- c // want `this send on field queue holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives \(line \d+\)`
	return nil
}

func (p *closerPool) enqueueFixed(c closable) error {
	p.mu.Lock()
	if err := p.err; err != nil {
		p.mu.Unlock()
		return err
	}
	p.mu.Unlock()
	p.queue <- c
	return nil
}

func (p *closerPool) worker() {
	defer p.wg.Done()
	for c := range p.queue {
		if err := c.Close(); err != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
		}
	}
}

func (p *closerPool) wait() error {
	p.mu.Lock()
	if p.err == nil {
		p.err = errors.New("closed")
	}
	p.mu.Unlock()
	close(p.queue)
	p.wg.Wait()
	return nil
}

// A variant written differently (ours): an unbuffered hand-off under a
// read lock, received in a plain loop whose body takes the write lock.
type registry struct {
	mu      sync.RWMutex
	entries map[string]int
	updates chan string
}

func newRegistry() *registry {
	r := &registry{entries: map[string]int{}, updates: make(chan string)}
	go r.apply()
	return r
}

func (r *registry) notify(name string) {
	r.mu.RLock()
	if _, ok := r.entries[name]; ok {
		r.updates <- name // want `this send on field updates holds mutex field mu \(locked at line \d+\), and its receivers can lock mu`
	}
	r.mu.RUnlock()
}

func (r *registry) apply() {
	for {
		name := <-r.updates
		r.mu.Lock()
		r.entries[name]++
		r.mu.Unlock()
	}
}

// Look-alike negatives (ours): the receivers lock another mutex; and the
// sender releases the mutex before the send.
type counterSink struct {
	mu    sync.Mutex
	statM sync.Mutex
	n     int
	in    chan int
}

func newCounterSink() *counterSink {
	s := &counterSink{in: make(chan int, 4)}
	go s.run()
	return s
}

func (s *counterSink) push(v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in <- v
}

func (s *counterSink) pushReleased(v int) {
	s.statM.Lock()
	s.n++
	s.statM.Unlock()
	s.in <- v
}

func (s *counterSink) stop() { close(s.in) }

func (s *counterSink) run() {
	for v := range s.in {
		s.statM.Lock()
		s.n += v
		s.statM.Unlock()
	}
}

// Upstream: portworx/sched-ops#359 (Unlock held the lock object's mutex
// while sending on the unbuffered done channel of the refresher, which
// may just have taken its ticker case and be waiting for that mutex).
// Fix: done has a buffer of one. Reduced in our own words.
type leaseLock struct {
	sync.Mutex
	owner string
	done  chan struct{}
}

type leaseHolder struct {
	lease leaseLock
	ttl   time.Duration
	data  map[string]string
}

func (h *leaseHolder) acquire(owner string) {
	h.lease.Lock()
	defer h.lease.Unlock()
	h.lease.owner = owner
	h.lease.done = make(chan struct{})
	go h.renew(owner, h.lease.done)
}

func (h *leaseHolder) release() {
	h.lease.Lock()
	defer h.lease.Unlock()
	if h.lease.done != nil {
		h.lease.done <- struct{}{} // want `this send on field done holds mutex field Mutex \(locked at line \d+\), and its receivers can lock Mutex between two receives`
		h.lease.done = nil
	}
	h.lease.owner = ""
}

func (h *leaseHolder) renew(owner string, done chan struct{}) {
	t := time.NewTicker(h.ttl)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.lease.Lock()
			if h.lease.owner == owner {
				h.data["expiry"] = time.Now().String()
			}
			h.lease.Unlock()
		case <-done:
			return
		}
	}
}

// The fixed look-alike: room for the one stop value.
type leaseLockFixed struct {
	sync.Mutex
	owner string
	done  chan struct{}
}

type leaseHolderFixed struct {
	lease leaseLockFixed
	ttl   time.Duration
}

func (h *leaseHolderFixed) acquire(owner string) {
	h.lease.Lock()
	defer h.lease.Unlock()
	h.lease.owner = owner
	h.lease.done = make(chan struct{}, 1)
	go h.renew(owner, h.lease.done)
}

func (h *leaseHolderFixed) release() {
	h.lease.Lock()
	defer h.lease.Unlock()
	if h.lease.done != nil {
		h.lease.done <- struct{}{}
		h.lease.done = nil
	}
}

func (h *leaseHolderFixed) renew(owner string, done chan struct{}) {
	t := time.NewTicker(h.ttl)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.lease.Lock()
			h.lease.owner = owner
			h.lease.Unlock()
		case <-done:
			return
		}
	}
}
