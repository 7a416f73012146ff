package real

import (
	"context"
	"time"
)

// A select's case on a done signal (a context's Done, a stop channel)
// that only the sender fires, after its send (review 16, item 1): the
// receiver has taken the value by then, so the case is no way around the
// receive. Beside them, the near misses: the signal fired before the
// send, by someone else too, or on a context a caller can cancel.

func sumUntilDone(ctx context.Context, in <-chan int) int {
	n := 0
	for {
		select {
		case <-ctx.Done():
			return n
		case v := <-in:
			n += v
		}
	}
}

// The sender cancels after its send; the select lives in a helper.
func lateCancelHelper(v int) int {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int)
	go func() {
		in <- v
		cancel()
	}()
	return sumUntilDone(ctx, in)
}

// The sender closes a stop channel in a defer; the select is inline.
func lateStopInline(vals []int) int {
	stop := make(chan struct{})
	in := make(chan int)
	go func() {
		defer close(stop)
		for _, v := range vals {
			in <- v
		}
	}()
	n := 0
	for {
		select {
		case <-stop:
			return n
		case v := <-in:
			n += v
		}
	}
}

// The sender defers its cancel; the select is in the maker.
func lateCancelDeferred(s string) string {
	ctx, cancel := context.WithCancel(context.TODO())
	got := make(chan string)
	go func() {
		defer cancel()
		got <- s
	}()
	select {
	case <-ctx.Done():
		return ""
	case r := <-got:
		return r
	}
}

// Positives: the signal may fire before the send is taken.

func earlyCancel(v int) int {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int)
	go func() {
		cancel()
		in <- v // want `can take another case and return first`
	}()
	return sumUntilDone(ctx, in)
}

func otherCanceller(v int) int {
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan int)
	time.AfterFunc(time.Second, cancel)
	go func() {
		in <- v // want `can take another case and return first`
		cancel()
	}()
	return sumUntilDone(ctx, in)
}

func callerContext(ctx context.Context, v int) int {
	ctx, cancel := context.WithCancel(ctx)
	in := make(chan int)
	go func() {
		in <- v // want `can take another case and return first`
		cancel()
	}()
	return sumUntilDone(ctx, in)
}

func earlyStop(s string) string {
	stop := make(chan struct{})
	got := make(chan string)
	go func() {
		close(stop)
		got <- s // want `can take another case and return first`
	}()
	select {
	case <-stop:
		return ""
	case r := <-got:
		return r
	}
}
