package futures_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

// The timeout error of AsCompleted counts the futures not yet done, each
// once, and matches every timeout sentinel; futures done when the time
// runs out are yielded before it, as Python yields them.
func TestAsCompletedTimeoutError(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(4))
	gate := make(chan struct{})
	defer close(gate)
	blocked := func(context.Context) (int, error) { <-gate; return 0, nil }
	done := submit(t, p, func(context.Context) (int, error) { return 1, nil })
	done.Result(ctx)
	x, y := submit(t, p, blocked), submit(t, p, blocked)

	// The deadline has passed already: done is still yielded first.
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	var got []*futures.Future[int]
	var last error
	for f, err := range futures.AsCompleted(expired, []*futures.Future[int]{x, done, y, x}) {
		if err != nil {
			last = err
			break
		}
		got = append(got, f)
	}
	if len(got) != 1 || got[0] != done {
		t.Errorf("yielded %v before the timeout, want only the done future", got)
	}
	var te *futures.TimeoutError
	if !errors.As(last, &te) || te.Unfinished != 2 || te.Total != 3 {
		t.Fatalf("err = %v, want 2 (of 3) unfinished", last)
	}
	if want := "futures: timed out: 2 (of 3) futures unfinished"; last.Error() != want {
		t.Errorf("message %q, want %q", last, want)
	}
	for _, target := range []error{futures.ErrTimeout, aio.ErrTimeout, context.DeadlineExceeded} {
		if !errors.Is(last, target) {
			t.Errorf("errors.Is(%v, %v) = false", last, target)
		}
	}
	if errors.Is(last, futures.ErrCancelled) || errors.Is(last, context.Canceled) {
		t.Errorf("a timeout matches a cancellation")
	}

	// A context cancelled, not timed out, yields its own error.
	cctx, cancelNow := context.WithCancel(ctx)
	cancelNow()
	for f, err := range futures.AsCompleted(cctx, []*futures.Future[int]{x}) {
		if f != nil || err != context.Canceled {
			t.Errorf("cancelled context: %v, %v; want context.Canceled", f, err)
		}
	}

	// All done when the time runs out: no error at all.
	n := 0
	for _, err := range futures.AsCompleted(expired, []*futures.Future[int]{done, done}) {
		if err != nil {
			t.Errorf("all done: %v", err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("all done: %d yielded, want 1", n)
	}
}

// ExampleAsCompleted_timeout shows the count in AsCompleted's timeout error
// (Python: TimeoutError: 1 (of 2) futures unfinished).
func ExampleAsCompleted_timeout() {
	pool := futures.NewThreadPool()
	defer pool.Shutdown(true, true)
	never := make(chan struct{})
	defer close(never)
	fast, _ := futures.Submit(pool, func(context.Context) (string, error) { return "fast", nil })
	slow, _ := futures.Submit(pool, func(context.Context) (string, error) { <-never; return "slow", nil })

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	for f, err := range futures.AsCompleted(ctx, []*futures.Future[string]{fast, slow}) {
		if err != nil {
			fmt.Println(err, errors.Is(err, futures.ErrTimeout))
			break
		}
		fmt.Println(f.Result(ctx))
	}
	// Output:
	// fast <nil>
	// futures: timed out: 1 (of 2) futures unfinished true
}
