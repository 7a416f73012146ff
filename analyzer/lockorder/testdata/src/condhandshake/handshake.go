// Package condhandshake tests a receive made holding the lock a Cond's Wait
// took back, against a sender that locked before its Signal.
package condhandshake

import "sync"

// A Cond handshake: the waiter holds mu, waits on c and then, still
// holding mu, receives; the worker locks mu, signals, unlocks and then
// sends. Its Lock came before the Signal that let the waiter take mu
// back, so the receive has a sender that needs nothing more.
func handshake() int {
	out := make(chan int)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		for i := 0; i < 2; i++ {
			mu.Lock()
			c.Signal()
			mu.Unlock()
			out <- i
		}
	}()
	sum := 0
	for i := 0; i < 2; i++ {
		c.Wait()
		sum += <-out
	}
	mu.Unlock()
	return sum
}

// The same handshake through a struct's fields, with Broadcast.
type pump struct {
	mu    sync.Mutex
	ready *sync.Cond
	out   chan int
}

func newPump() *pump {
	p := &pump{out: make(chan int)}
	p.ready = sync.NewCond(&p.mu)
	return p
}

func (p *pump) produce(v int) {
	p.mu.Lock()
	p.ready.Broadcast()
	p.mu.Unlock()
	p.out <- v
}

func (p *pump) take() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	go p.produce(1)
	p.ready.Wait()
	return <-p.out
}

// The worker locks mu again after its Signal: the waiter, back from Wait
// with mu, receives while the worker waits for mu to send.
func relocked() int {
	out := make(chan int)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		mu.Lock()
		c.Signal()
		mu.Unlock()
		mu.Lock()
		out <- 1 // want `this goroutine sends on unbuffered out while holding mu`
		mu.Unlock()
	}()
	c.Wait()
	v := <-out // want `this goroutine receives from out while holding mu`
	mu.Unlock()
	return v
}

// The waiter takes mu again itself after the Wait (Unlock, Lock): its
// hold no longer comes from the Wait, and the worker's Lock may come
// after it.
func relockedWaiter() int {
	out := make(chan int)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		mu.Lock()
		c.Signal()
		mu.Unlock()
		mu.Lock()
		out <- 1 // want `this goroutine sends on unbuffered out while holding mu`
		mu.Unlock()
	}()
	c.Wait()
	mu.Unlock()
	mu.Lock()
	v := <-out // want `this goroutine receives from out while holding mu`
	mu.Unlock()
	return v
}
