package real

import (
	"sync"
	"sync/atomic"
	"time"
)

// Upstream: kipsilabs/altmount#429
//
// A prefetcher parks on a Cond while it is far enough ahead; Close sets a
// stop flag and broadcasts without the Cond's lock, so the broadcast can
// fall between the prefetcher's test (under the lock) and its Wait. The
// fix kept that first broadcast but, when the prefetcher has not ended in
// time, takes the lock, clears the state and broadcasts again: the waiter
// holds the lock from its test until Wait releases it, so once Close has
// had the lock the waiter is in Wait, and the second broadcast wakes it.

type prefetcher struct {
	mu      sync.Mutex
	cond    *sync.Cond
	stopped atomic.Bool
	ahead   int
	done    chan struct{}
}

func newPrefetcher() *prefetcher {
	p := &prefetcher{done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

func (p *prefetcher) run() {
	defer close(p.done)
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped.Load() {
		if p.ahead >= 4 {
			p.cond.Wait()
			continue
		}
		p.ahead++
	}
}

// Read consumes one prefetched item.
func (p *prefetcher) Read() {
	p.mu.Lock()
	p.ahead--
	p.cond.Signal()
	p.mu.Unlock()
}

// Close broadcasts without the lock, then, if the prefetcher is still
// there after a while, again after taking the lock: silent.
func (p *prefetcher) Close() {
	p.stopped.Store(true)
	p.cond.Broadcast()
	select {
	case <-p.done:
	case <-time.After(time.Second):
		p.mu.Lock()
		p.ahead = 0
		p.mu.Unlock()
		p.cond.Broadcast()
	}
}

// A variant: the second broadcast is made under the lock, through a
// helper of the package. Silent.

type prefetcher2 struct {
	mu      sync.Mutex
	cond    *sync.Cond
	stopped atomic.Bool
	ahead   int
}

func newPrefetcher2() *prefetcher2 {
	p := &prefetcher2{}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

func (p *prefetcher2) run() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped.Load() {
		if p.ahead >= 4 {
			p.cond.Wait()
			continue
		}
		p.ahead++
	}
}

// Read consumes one prefetched item.
func (p *prefetcher2) Read() {
	p.mu.Lock()
	p.ahead--
	p.cond.Signal()
	p.mu.Unlock()
}

func (p *prefetcher2) wakeLocked() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cond.Broadcast()
}

// Close broadcasts without the lock and then under it.
func (p *prefetcher2) Close(wait bool) {
	p.stopped.Store(true)
	p.cond.Broadcast()
	if wait {
		time.Sleep(time.Millisecond)
		p.wakeLocked()
	}
}

// The look-alike: the second broadcast is unfenced too (the lock is taken
// only after it), so both can fall between the test and the Wait.

type prefetcher3 struct {
	mu      sync.Mutex
	cond    *sync.Cond
	stopped atomic.Bool
	ahead   int
}

func newPrefetcher3() *prefetcher3 {
	p := &prefetcher3{}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

func (p *prefetcher3) run() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.stopped.Load() {
		if p.ahead >= 4 {
			p.cond.Wait()
			continue
		}
		p.ahead++
	}
}

// Read consumes one prefetched item.
func (p *prefetcher3) Read() {
	p.mu.Lock()
	p.ahead--
	p.cond.Signal()
	p.mu.Unlock()
}

// Close broadcasts twice, both times before it takes the lock.
func (p *prefetcher3) Close() {
	p.stopped.Store(true)
	p.cond.Broadcast() // want `lost wake-up: Broadcast of cond without its lock, after Close changed stopped`
	time.Sleep(time.Millisecond)
	p.cond.Broadcast()
	p.mu.Lock()
	p.ahead = 0
	p.mu.Unlock()
}
