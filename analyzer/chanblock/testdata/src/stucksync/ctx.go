package stucksync

import (
	"context"
	"sync"
	"time"
)

// The producer offers values until the context is cancelled; the
// consumer takes one, then waits for the producer before it cancels:
// the producer's select waits for a receive or the cancel, neither of
// which comes. Inline, explicit cancel.
func cancelAfterJoin() int {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select { // want `this select can block forever: cancelAfterJoin is blocked at wg.Wait \(ctx.go:\d+\) and nothing else receives`
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	v := <-out
	wg.Wait()
	cancel()
	return v
}

// Fixed: cancel, then wait.
func cancelAfterJoinFixed() int {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	v := <-out
	cancel()
	wg.Wait()
	return v
}

// A named producer; the cancel is deferred, so it runs only after the
// Wait returns.
func produceUntil(ctx context.Context, wg *sync.WaitGroup, out chan<- int) {
	defer wg.Done()
	for i := 0; ; i++ {
		select { // want `this select can block forever: deferredCancel is blocked at wg.Wait \(ctx.go:\d+\) and nothing else receives`
		case out <- i:
		case <-ctx.Done():
			return
		}
	}
}

func deferredCancel() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go produceUntil(ctx, &wg, out)
	v := 0
	select {
	case v = <-out:
	case <-time.After(time.Second):
	}
	wg.Wait()
	return v
}

func produceUntilFixed(ctx context.Context, wg *sync.WaitGroup, out chan<- int) {
	defer wg.Done()
	for i := 0; ; i++ {
		select {
		case out <- i:
		case <-ctx.Done():
			return
		}
	}
}

func deferredCancelFixed() int {
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go produceUntilFixed(ctx, &wg, out)
	v := 0
	select {
	case v = <-out:
	case <-time.After(time.Second):
	}
	cancel()
	wg.Wait()
	return v
}

// A plain wait on Done after the send: the worker's Done runs only once
// the context is cancelled, which follows the Wait.
func doneAfterJoin() int {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan int, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch <- 1
		<-ctx.Done()
	}()
	v := <-ch
	wg.Wait() // want `this wg.Wait can block forever: its counter stays at 1; the goroutine running doneAfterJoin's function literal is blocked at <-ctx.Done\(\) \(ctx.go:\d+\) without calling Done`
	cancel()
	return v
}

func doneAfterJoinFixed() int {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan int, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ch <- 1
		<-ctx.Done()
	}()
	v := <-ch
	cancel()
	wg.Wait()
	return v
}

// A cancel deferred: the producer's select leaves by the context once
// the consumer returns (reported before the context was followed).
func cancelDeferred() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan int)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ch <- 1:
			}
		}
	}()
	return <-ch
}

// Look-alike: a timeout's Done closes on its own.
func cancelTimeout() int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	v := 0
	select {
	case v = <-out:
	case <-ctx.Done():
	}
	wg.Wait()
	cancel()
	return v
}

// Look-alike: the parent comes from the caller, who may cancel it.
func parentCancel(parent context.Context) int {
	ctx, cancel := context.WithCancel(parent)
	out := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	v := 0
	select {
	case v = <-out:
	case <-ctx.Done():
	}
	wg.Wait()
	cancel()
	return v
}
