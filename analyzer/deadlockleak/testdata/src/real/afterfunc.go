package real

import (
	"context"
	"time"
)

// hashicorp/consul#14988: a coalesce timer armed with time.AfterFunc sends
// on a channel the state's loop receives from; when the loop returns on
// its context first, the timer's goroutine blocks on the send forever.
// Fix: the callback's send also selects on ctx.Done(). Here a debouncer
// written differently: the timer is a local, re-armed per event.
func debounce(ctx context.Context, events <-chan string, flush func([]string)) {
	fire := make(chan struct{})
	var batch []string
	for {
		select {
		case ev := <-events:
			if len(batch) == 0 {
				time.AfterFunc(50*time.Millisecond, func() {
					fire <- struct{}{} // want `this goroutine sends on an unbuffered channel whose only receiver, the select in debounce`
				})
			}
			batch = append(batch, ev)
		case <-fire:
			flush(batch)
			batch = nil
		case <-ctx.Done():
			return
		}
	}
}

// The fix: the timer's send gives up with the loop.
func debounceFixed(ctx context.Context, events <-chan string, flush func([]string)) {
	fire := make(chan struct{})
	var batch []string
	for {
		select {
		case ev := <-events:
			if len(batch) == 0 {
				time.AfterFunc(50*time.Millisecond, func() {
					select {
					case fire <- struct{}{}:
					case <-ctx.Done():
					}
				})
			}
			batch = append(batch, ev)
		case <-fire:
			flush(batch)
			batch = nil
		case <-ctx.Done():
			return
		}
	}
}

// Look-alike: room for the one pending tick, so the send never waits.
func debounceBuffered(ctx context.Context, events <-chan string, flush func([]string)) {
	fire := make(chan struct{}, 1)
	var batch []string
	for {
		select {
		case ev := <-events:
			if len(batch) == 0 {
				time.AfterFunc(50*time.Millisecond, func() { fire <- struct{}{} })
			}
			batch = append(batch, ev)
		case <-fire:
			flush(batch)
			batch = nil
		case <-ctx.Done():
			return
		}
	}
}

// Look-alike: the function that receives stops the timer before it
// returns (as nats-server's signal tests do): the callback runs only if
// the timer fired first, and what the timer's owner does about that is
// beyond this rule.
func waitStopped(done func() bool) error {
	timeout := make(chan error)
	timer := time.AfterFunc(3*time.Second, func() {
		timeout <- context.DeadlineExceeded
	})
	for range time.NewTicker(time.Millisecond).C {
		select {
		case err := <-timeout:
			return err
		default:
		}
		if done() {
			timer.Stop()
			break
		}
	}
	return nil
}
