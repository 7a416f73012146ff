package stuckcond

import (
	"context"
	"sync"
)

// The worker signals without the Cond's lock: if it gets there before the
// caller is inside Wait, the Signal finds nobody and is lost.
func signalEarly() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	done := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 7
		done.Signal()
	}()
	done.Wait() // want `this done.Wait can block forever: no Signal or Broadcast comes once it waits; the goroutine running signalEarly's function literal returns \(lost.go:\d+\)`
	mu.Unlock()
	return <-out
}

// Fixed: the worker takes the lock the caller holds until it is inside
// Wait, so its Signal cannot come first.
func signalEarlyFixed() int {
	out := make(chan int, 1)
	var mu sync.Mutex
	done := sync.NewCond(&mu)
	mu.Lock()
	go func() {
		out <- 7
		mu.Lock()
		done.Signal()
		mu.Unlock()
	}()
	done.Wait()
	mu.Unlock()
	return <-out
}

// The same through c.L, with a deferred unlock in the worker.
func signalEarlyL() int {
	out := make(chan int, 1)
	c := sync.NewCond(new(sync.Mutex))
	c.L.Lock()
	go func() {
		defer c.Signal()
		out <- 1
	}()
	c.Wait() // want `this c.Wait can block forever: no Signal or Broadcast comes once it waits`
	c.L.Unlock()
	return <-out
}

// Fixed: the worker's deferred wake takes c.L first.
func signalEarlyLFixed() int {
	out := make(chan int, 1)
	c := sync.NewCond(new(sync.Mutex))
	c.L.Lock()
	go func() {
		defer c.L.Unlock()
		out <- 1
		c.L.Lock()
		c.Signal()
	}()
	c.Wait()
	c.L.Unlock()
	return <-out
}

// The worker wakes the caller only when it delivers; cancelled, it
// leaves without a word and the caller sleeps on.
func wakeOnSuccess(ctx context.Context) int {
	res := make(chan int, 1)
	var mu sync.Mutex
	ready := &sync.Cond{L: &mu}
	mu.Lock()
	go func() {
		select {
		case res <- 42:
			mu.Lock()
			ready.Broadcast()
			mu.Unlock()
		case <-ctx.Done():
			return
		}
	}()
	ready.Wait() // want `this ready.Wait can block forever: no Signal or Broadcast comes once it waits; the goroutine running wakeOnSuccess's function literal leaves its select by another case`
	mu.Unlock()
	select {
	case v := <-res:
		return v
	default:
		return -1
	}
}

// Fixed: the wake comes on both ways out of the select.
func wakeOnSuccessFixed(ctx context.Context) int {
	res := make(chan int, 1)
	var mu sync.Mutex
	ready := &sync.Cond{L: &mu}
	mu.Lock()
	go func() {
		select {
		case res <- 42:
		case <-ctx.Done():
		}
		mu.Lock()
		ready.Broadcast()
		mu.Unlock()
	}()
	ready.Wait()
	mu.Unlock()
	select {
	case v := <-res:
		return v
	default:
		return -1
	}
}
