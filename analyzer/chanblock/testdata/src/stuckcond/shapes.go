package stuckcond

import (
	"sync"
	"time"
)

// The caller waits only when asked to (a parameter: no goroutine changes
// it), and the worker signals without the lock: with wait set, the Signal
// can come first.
func maybeWait(wait bool) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	started := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 1
		started.Signal()
	}()
	if wait {
		started.Wait() // want `this started.Wait can block forever: no Signal or Broadcast comes once it waits`
	}
	mu.Unlock()
	return <-out
}

// Fixed: the worker's Signal waits for the caller to be inside Wait.
func maybeWaitFixed(wait bool) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	started := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 1
		mu.Lock()
		started.Signal()
		mu.Unlock()
	}()
	if wait {
		started.Wait()
	}
	mu.Unlock()
	return <-out
}

// Shadowed: the worker makes a Cond of its own on the same lock and
// signals that one; the caller's Cond is never woken.
func shadowed() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		c := sync.NewCond(&mu)
		out <- 2
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	mu.Unlock()
	return <-out
}

// A Cond whose L is a Locker variable: its lock is not certain, so the
// Cond is not followed (silent either way).
func lockerVar() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	var l sync.Locker = &mu
	c := sync.NewCond(l)
	l.Lock()
	go func() {
		out <- 3
		c.Signal()
	}()
	c.Wait()
	l.Unlock()
	return <-out
}

// The Cond handed to a helper outside the model, which may wake it: not
// followed.
func wakeLater(c *sync.Cond) {
	c.L.Lock()
	c.Broadcast()
	c.L.Unlock()
}

func handedOut() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 4
		wakeLater(c)
	}()
	c.Wait()
	mu.Unlock()
	return <-out
}

// Two Signals for two Waits, each under the lock: the second can come
// while the caller, woken by the first, has not locked again yet. It is
// in no queue then, so that Signal is lost and its second Wait sleeps.
func twoRounds() int {
	out := make(chan error, 2)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		for i := 0; i < 2; i++ {
			mu.Lock()
			c.Signal()
			mu.Unlock()
			out <- nil
		}
	}()
	for i := 0; i < 2; i++ {
		c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	}
	mu.Unlock()
	return len(out)
}

// Fixed: the caller takes each round's result while it still holds the
// lock, so the worker, whose send waits for that, can lock and signal
// again only once the caller is back inside Wait.
func twoRoundsFixed() int {
	out := make(chan error)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		for i := 0; i < 2; i++ {
			mu.Lock()
			c.Signal()
			mu.Unlock()
			out <- nil
		}
	}()
	for i := 0; i < 2; i++ {
		c.Wait()
		_ = <-out
	}
	mu.Unlock()
	return 2
}

// A Cond made afresh in each round of a loop: the model would take the
// rounds' Conds for one, so it follows none of them (silent, though each
// round's Signal may come before its Wait).
func perRound() {
	out := make(chan int, 1)
	for i := 0; i < 2; i++ {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		mu.Lock()
		go func() {
			out <- i
			c.Signal()
		}()
		c.Wait()
		mu.Unlock()
		<-out
	}
}

// An error branch the wake comes after on both ways (the Signal
// post-dominates it): it decides nothing about the wake, and the Signal
// without the lock can still come first.
func afterErrCheck(start func() error) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		if err := start(); err != nil {
			out <- 0
		} else {
			out <- 1
		}
		c.Signal()
	}()
	c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	mu.Unlock()
	return <-out
}

// An error branch that skips the wake, on a value the model does not
// know: it gives the Cond up (silent).
func skipOnErr(start func() error) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 1
		if err := start(); err != nil {
			return
		}
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	c.Wait()
	mu.Unlock()
	return <-out
}

// A *sync.Cond field of a local value, set once to NewCond of the value's
// own lock: the Broadcast without the lock can come first.
type waiter struct {
	mu   sync.Mutex
	cond *sync.Cond
}

func fieldCond() int {
	out := make(chan int, 1)
	w := &waiter{}
	w.cond = sync.NewCond(&w.mu)
	w.mu.Lock()
	go func() {
		out <- 1
		w.cond.Broadcast()
	}()
	w.cond.Wait() // want `this w.cond.Wait can block forever: no Signal or Broadcast comes once it waits`
	w.mu.Unlock()
	return <-out
}

// Fixed: the Broadcast under the lock; the Cond set in the composite
// literal, on a lock of the caller's.
func fieldCondFixed() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	w := &waiter{cond: sync.NewCond(&mu)}
	mu.Lock()
	go func() {
		out <- 1
		mu.Lock()
		w.cond.Broadcast()
		mu.Unlock()
	}()
	w.cond.Wait()
	mu.Unlock()
	return <-out
}

// The field set again later (a reset): not followed.
func fieldCondReset() int {
	out := make(chan int, 1)
	w := &waiter{}
	w.cond = sync.NewCond(&w.mu)
	w.mu.Lock()
	go func() {
		out <- 1
		w.cond.Broadcast()
	}()
	w.cond = sync.NewCond(&w.mu)
	w.cond.Wait()
	w.mu.Unlock()
	return <-out
}

// A sleep before the wake orders it after the Wait in practice (and
// always in a synctest bubble); the model lets sleeps return at once, so
// it does not follow the Cond.
func sleepThenSignal(d time.Duration) int {
	out := make(chan int, 1)
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	go func() {
		out <- 1
		time.Sleep(d)
		mu.Lock()
		c.Signal()
		mu.Unlock()
	}()
	mu.Lock()
	c.Wait()
	mu.Unlock()
	return <-out
}
