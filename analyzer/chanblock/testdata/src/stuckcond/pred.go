package stuckcond

import (
	"sync"
)

// A predicate loop, the predicate set under the lock before the Signal:
// correct whatever the order. The flag is a bool of the maker set only to
// constants, which the model tracks: it runs the loop as the program does.
func predicateLoop() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		out <- 3
		mu.Lock()
		done = true
		c.Signal()
		mu.Unlock()
	}()
	mu.Lock()
	for !done {
		c.Wait()
	}
	mu.Unlock()
	return <-out
}

// The same predicate tested once (if, not for), and a Broadcast made
// without the lock: the flag set under the lock still makes it correct
// (tracked too).
func predicateOnce() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	var closed bool
	go func() {
		mu.Lock()
		closed = true
		mu.Unlock()
		c.Broadcast()
		close(out)
	}()
	mu.Lock()
	if !closed {
		c.Wait()
	}
	mu.Unlock()
	_, ok := <-out
	if ok {
		return 1
	}
	return 0
}

// A predicate in a field read through a method, the wake on close.
type box struct {
	mu     sync.Mutex
	cond   *sync.Cond
	closed bool
}

func (b *box) isClosed() bool { return b.closed }

func predicateMethod() {
	done := make(chan struct{})
	b := &box{}
	b.cond = sync.NewCond(&b.mu)
	go func() {
		defer close(done)
		b.mu.Lock()
		b.closed = true
		b.cond.Broadcast()
		b.mu.Unlock()
	}()
	b.mu.Lock()
	for !b.isClosed() {
		b.cond.Wait()
	}
	b.mu.Unlock()
	<-done
}

// The waker signals only when a counter says someone waits. Whether the
// waiter is stranded depends on the counter, which the model does not
// know: it gives the Cond up rather than guess (the condwait rules speak
// for this shape).
func counted() {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	waiting := 0
	go func() {
		mu.Lock()
		if waiting > 0 {
			c.Signal()
		}
		mu.Unlock()
		out <- 1
	}()
	mu.Lock()
	waiting++
	c.Wait()
	waiting--
	mu.Unlock()
	<-out
}

// The flag set and the Signal made without the lock: between the waiter's
// test and its Wait both can happen, and the Signal is lost (the loop
// does not save it).
func predicateRacy() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		out <- 3
		done = true
		c.Signal()
	}()
	mu.Lock()
	for !done {
		c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	}
	mu.Unlock()
	return <-out
}

// A predicate the model cannot track (set from a call's result): the
// Cond is given up.
func predicateUnknown(ready func() bool) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		out <- 3
		mu.Lock()
		done = ready()
		c.Signal()
		mu.Unlock()
	}()
	mu.Lock()
	for !done {
		c.Wait()
	}
	mu.Unlock()
	return <-out
}

// The same with the flag's store first in the worker: the store is a
// scheduling point, so the caller's test may come before it.
func predicateRacyFirst() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		done = true
		c.Signal()
		out <- 3
	}()
	mu.Lock()
	for !done {
		c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	}
	mu.Unlock()
	return <-out
}

// Fixed: the store and the Signal under the lock.
func predicateRacyFirstFixed() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	done := false
	go func() {
		mu.Lock()
		done = true
		c.Signal()
		mu.Unlock()
		out <- 3
	}()
	mu.Lock()
	for !done {
		c.Wait()
	}
	mu.Unlock()
	return <-out
}
