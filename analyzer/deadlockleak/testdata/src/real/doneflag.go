package real

import (
	"context"
	"errors"
	"time"
)

// hashicorp/go-eventlogger#7 (reduced; its graph also respawns its
// senders): the collector loops `for !done` over a select whose
// ctx.Done() case only sets done = true; the loop test then leaves without
// receiving, and the goroutine still to send blocks for ever. The flag is
// set to a constant on the way through the other case: that path leaves.
func collectOne(ctx context.Context, work func() int) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- work() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in collectOne \(line \d+\), can take another case and return first`
	}()
	var v int
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case v = <-ch:
			done = true
		}
	}
	return v, ctx.Err()
}

// The fix: the send selects on the same context.
func collectOneFixed(ctx context.Context, work func() int) (int, error) {
	ch := make(chan int)
	go func() {
		select {
		case ch <- work():
		case <-ctx.Done():
		}
	}()
	var v int
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case v = <-ch:
			done = true
		}
	}
	return v, ctx.Err()
}

// A variant: a "running" flag cleared by a timer case, over a stream a
// goroutine closes when it is through.
func sumWhileRunning(items []int, d time.Duration) (int, error) {
	results := make(chan int)
	go func() {
		for _, it := range items {
			results <- it * 2 // want `the select in sumWhileRunning \(line \d+\), can take another case and return first`
		}
		close(results)
	}()
	sum := 0
	running := true
	var err error
	for running {
		select {
		case r, ok := <-results:
			if !ok {
				running = false
				break
			}
			sum += r
		case <-time.After(d):
			err = errors.New("timeout")
			running = false
		}
	}
	return sum, err
}

// A variant: the flag is tested at the top of the loop body, on a field
// channel of a struct the function makes.
type countdown struct {
	out chan int
}

func (c *countdown) run(n int) {
	for i := n; i > 0; i-- {
		c.out <- i // want `field out\) whose only receiver, the select in readCountdown`
	}
	close(c.out)
}

func readCountdown(n int, quit <-chan struct{}) []int {
	c := &countdown{out: make(chan int)}
	go c.run(n)
	var got []int
	stop := false
	for {
		if stop {
			break
		}
		select {
		case v, ok := <-c.out:
			if !ok {
				return got
			}
			got = append(got, v)
		case <-quit:
			stop = true
		}
	}
	return got
}

// Look-alike: the other case sets the flag too, but takes the pending
// value first, so no sender is left behind.
func collectDrained(ctx context.Context, work func() int) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	done := false
	v := 0
	for !done {
		select {
		case <-ctx.Done():
			v = <-ch
			done = true
		case v = <-ch:
			done = true
		}
	}
	return v
}
