package real

import (
	"context"
	"time"
)

// Upstream: openHPI/poseidon#430 ("Fix Memory Leak caused by the
// merge_context.")
//
// Bug: a context merged from several contexts built its Done channel in a
// goroutine that waited for any of them, sent an empty struct on the
// unbuffered channel and then closed it. A caller that selected on Done
// and left through another case, or never received, left the goroutine
// blocked on the send forever. Fix: only close the channel.

type anyOf struct {
	a, b context.Context
}

func (m *anyOf) Deadline() (time.Time, bool) { return m.a.Deadline() }
func (m *anyOf) Err() error                  { return m.a.Err() }
func (m *anyOf) Value(key any) any           { return m.a.Value(key) }

func (m *anyOf) Done() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		select {
		case <-m.a.Done():
		case <-m.b.Done():
		}
		ch <- struct{}{} // want `this goroutine sends on the unbuffered done channel that Done returns before it closes it \(line \d+\)`
		close(ch)
	}()
	return ch
}

type anyOfFixed struct {
	a, b context.Context
}

func (m *anyOfFixed) Done() <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		select {
		case <-m.a.Done():
		case <-m.b.Done():
		}
		close(ch)
	}()
	return ch
}

// A variant: an exported helper whose goroutine announces readiness with a
// send and a deferred close.
func WhenReady(probe func() bool) <-chan struct{} {
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		for !probe() {
			time.Sleep(time.Millisecond)
		}
		ready <- struct{}{} // want `this goroutine sends on the unbuffered done channel that WhenReady returns before it closes it`
	}()
	return ready
}

// A look-alike: a future that delivers one value and then closes: the
// value is the result, and the caller is meant to receive it.
func Compute(f func() int) <-chan int {
	out := make(chan int)
	go func() {
		out <- f()
		close(out)
	}()
	return out
}

// Another look-alike: the done channel has room for the value, so the
// send never waits.
func WhenReadyBuffered(probe func() bool) <-chan struct{} {
	ready := make(chan struct{}, 1)
	go func() {
		for !probe() {
			time.Sleep(time.Millisecond)
		}
		ready <- struct{}{}
		close(ready)
	}()
	return ready
}
