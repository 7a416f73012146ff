package shapes

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Local Conds: one instance, made by the function and captured by its
// function literals.

// A Cond variable (not NewCond), a Broadcast made under the lock, but the
// goroutine is started before the waiter takes the lock: the Broadcast can
// come first.
func localLateLock() {
	var mu sync.Mutex
	var ready sync.Cond
	ready.L = &mu
	go func() {
		mu.Lock()
		ready.Broadcast()
		mu.Unlock()
	}()
	mu.Lock()
	ready.Wait() // want `lost wake-up: Wait on ready, a Cond made in localLateLock, checks no condition and is not in a loop: a function literal in localLateLock \(line 22\) calls Broadcast holding the Cond's lock, but localLateLock made the literal \(line 20\) before it took that lock`
	mu.Unlock()
}

// The same, with the lock taken before the goroutine starts: the
// Broadcast waits for Wait to release it.
func localEarlyLock() {
	var mu sync.Mutex
	var ready sync.Cond
	ready.L = &mu
	mu.Lock()
	go func() {
		mu.Lock()
		ready.Broadcast()
		mu.Unlock()
	}()
	ready.Wait()
	mu.Unlock()
}

// A Cond held in a variable the literal captures by reference, signalled
// from a deferred call in a goroutine, without the lock.
func localDeferredSignal(work func()) {
	c := sync.NewCond(new(sync.Mutex))
	go func() {
		defer c.Signal()
		work()
	}()
	c.L.Lock()
	c.Wait() // want `lost wake-up: Wait on c, a Cond made in localDeferredSignal, checks no condition and is not in a loop: a function literal in localDeferredSignal \(line 51\) calls Signal without the Cond's lock`
	c.L.Unlock()
}

// Look-alike: the same signaller, but the waiter loops on a flag the
// goroutine sets under the lock: a signal made first is not needed.
func localPredicate(work func()) {
	c := sync.NewCond(new(sync.Mutex))
	done := false
	go func() {
		work()
		c.L.Lock()
		done = true
		c.L.Unlock()
		c.Signal()
	}()
	c.L.Lock()
	for !done {
		c.Wait()
	}
	c.L.Unlock()
}

// Look-alike: the waiter skips Wait when the goroutine already reported
// (a shared flag, not a parameter): a test of shared state, left alone.
func localGuarded(work func()) {
	c := sync.NewCond(new(sync.Mutex))
	done := false
	go func() {
		work()
		c.L.Lock()
		done = true
		c.Signal()
		c.L.Unlock()
	}()
	c.L.Lock()
	if !done {
		c.Wait()
	}
	c.L.Unlock()
}

// Look-alike: the Cond is handed to another function, which may signal
// it where the pass cannot see.
func localEscapes(start func(*sync.Cond)) {
	c := sync.NewCond(new(sync.Mutex))
	go func() { c.Signal() }()
	start(c)
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
}

// Look-alike: the literal that signals is made after the Wait returns.
func localAfter() func() {
	c := sync.NewCond(new(sync.Mutex))
	c.L.Lock()
	c.Wait()
	c.L.Unlock()
	return func() { c.Signal() }
}

// Look-alike: in a synctest bubble, a goroutine that sleeps before it
// signals wakes only once every other goroutine of the bubble is durably
// blocked, the waiter in its Wait (std's internal/synctest TestCond).
func localBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		go func() {
			time.Sleep(time.Millisecond)
			mu.Lock()
			c.Signal()
			mu.Unlock()
		}()
		mu.Lock()
		c.Wait()
		mu.Unlock()
	})
}

// In a bubble, a signaller that does not sleep first is still a race.
func localBubbleNoSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		c := sync.NewCond(&mu)
		go func() {
			mu.Lock()
			c.Signal()
			mu.Unlock()
		}()
		mu.Lock()
		c.Wait() // want `lost wake-up: Wait on c, a Cond made in a function literal in localBubbleNoSleep, checks no condition and is not in a loop`
		mu.Unlock()
	})
}
