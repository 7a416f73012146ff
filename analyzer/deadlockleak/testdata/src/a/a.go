package a

import (
	"context"
	"time"
)

func work() int { return 42 }

// The classic leak: the select can return on ctx.Done.
func leak(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- work() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in leak \(line 16\), can take another case and return first \(line 20\)`
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A timer, and a named sender function.
func leakTimer() int {
	ch := make(chan int)
	go produce(ch)
	select {
	case v := <-ch:
		return v
	case <-time.After(time.Second):
		return -1
	}
}

func produce(ch chan int) {
	ch <- work() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in leakTimer`
	close(ch)
}

// A non-blocking receive.
func leakDefault() int {
	ch := make(chan int)
	go func() { ch <- work() }() // want `the select in leakDefault`
	select {
	case v := <-ch:
		return v
	default:
		return 0
	}
}

// --- safe look-alikes ---

// Buffered with room: the send always completes.
func buffered(ctx context.Context) (int, error) {
	ch := make(chan int, 1)
	go func() { ch <- work() }()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// The receiver drains on its way out.
func drains(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() { ch <- work() }()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		<-ch
		return 0, ctx.Err()
	}
}

// The sender has its own way out.
func senderSelects(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		select {
		case ch <- work():
		case <-ctx.Done():
		}
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Always receives.
func plain() int {
	ch := make(chan int)
	go func() { ch <- work() }()
	return <-ch
}

// A loop whose other case goes round again.
func loops(tick <-chan time.Time) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	for {
		select {
		case v := <-ch:
			return v
		case <-tick:
		}
	}
}

// The channel escapes: someone else may receive.
func escapes(ctx context.Context, out chan<- chan int) {
	ch := make(chan int)
	out <- ch
	go func() { ch <- work() }()
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// The implicit return at the closing brace (as bufio's TestZeroReader).
func implicitReturn(report func(error)) {
	c := make(chan error)
	go func() {
		c <- nil // want `the select in implicitReturn \(line 134\), can take another case and return first \(line 140\)`
	}()
	select {
	case err := <-c:
		report(err)
	case <-time.After(time.Second):
		report(nil)
	}
}

// A plain receive before the select takes one value (as x/net's
// TestDialRaceResumesDial): the select is not the only receiver.
func twoReceives(ok chan struct{}) error {
	errc := make(chan error)
	go func() { errc <- nil }()
	go func() { errc <- nil }()
	err := <-errc
	select {
	case err = <-errc:
	case <-ok:
	}
	return err
}
