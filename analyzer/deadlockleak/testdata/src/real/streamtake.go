package real

import (
	"context"
	"fmt"
)

// Upstream: dbos-inc/dbos-transact-golang#318: a generic helper turns a
// stream of untyped values into typed ones in a goroutine with plain
// sends on a channel with room for one; a caller that wants the first
// value takes one and returns (canceling its context). The forwarder's
// third send blocks forever: no cancel reaches a plain send. Fix: each
// send also selects on the context's Done.
type item struct {
	v   any
	err error
}

func typedItems[T any](ctx context.Context, in <-chan item) <-chan T {
	out := make(chan T, 1)
	go func() {
		defer close(out)
		for it := range in {
			v, ok := it.v.(T)
			if !ok {
				return
			}
			out <- v // want `this goroutine sends a stream of values on a channel with room for 1, and its only receiver, firstName, takes 1 value\(s\) outside any loop \(line \d+\) and returns`
		}
	}()
	return out
}

func firstName(ctx context.Context, in <-chan item) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return <-typedItems[string](ctx, in)
}

// The fix: the forwarder also gives up when the caller cancels.
func typedItemsFixed[T any](ctx context.Context, in <-chan item) <-chan T {
	out := make(chan T, 1)
	go func() {
		defer close(out)
		for it := range in {
			v, ok := it.v.(T)
			if !ok {
				return
			}
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func firstNameFixed(ctx context.Context, in <-chan item) string {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return <-typedItemsFixed[string](ctx, in)
}

// A variant: an endless unbuffered generator whose starter takes two
// values.
func firstTwo(next func() (int, error)) (int, int) {
	ch := make(chan int)
	go func() {
		for {
			v, err := next()
			if err != nil {
				v = -1
			}
			ch <- v // want `this goroutine sends a stream of values on an unbuffered channel, and its only receiver, firstTwo, takes 2 value\(s\)`
		}
	}()
	a := <-ch
	b := <-ch
	return a, b
}

// Look-alike: the producer's loop is counted, and the buffer holds what
// the receiver leaves.
func firstOfThree(f func(int) string) string {
	ch := make(chan string, 3)
	go func() {
		for i := 0; i < 3; i++ {
			ch <- f(i)
		}
	}()
	return <-ch
}

// Look-alike: the receiver ranges over the stream to its end.
func joinAll(in <-chan item) string {
	s := ""
	for v := range typedItems2(in) {
		s += fmt.Sprint(v)
	}
	return s
}

func typedItems2(in <-chan item) <-chan any {
	out := make(chan any)
	go func() {
		defer close(out)
		for it := range in {
			out <- it.v
		}
	}()
	return out
}
