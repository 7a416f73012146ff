package futures_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// gated returns a task that returns v (or fails) when its gate closes.
func gated(v int, err error) (func(context.Context) (int, error), chan struct{}) {
	gate := make(chan struct{})
	return func(context.Context) (int, error) { <-gate; return v, err }, gate
}

func TestWaitModes(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(3))
	fa, ga := gated(1, nil)
	fb, gb := gated(2, errBoom)
	fc, gc := gated(3, nil)
	a, b, c := submit(t, p, fa), submit(t, p, fb), submit(t, p, fc)
	fs := []*futures.Future[int]{a, b, c}

	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	done, notDone := futures.Wait(tctx, fs, futures.AllCompleted)
	cancel()
	if len(done) != 0 || len(notDone) != 3 {
		t.Fatalf("Wait timed out: done=%d notDone=%d", len(done), len(notDone))
	}

	close(ga)
	done, notDone = futures.Wait(ctx, fs, futures.FirstCompleted)
	if !slices.Equal(done, []*futures.Future[int]{a}) || !slices.Equal(notDone, []*futures.Future[int]{b, c}) {
		t.Fatalf("FirstCompleted: done=%v notDone=%v", done, notDone)
	}

	// FirstException returns at the failure, with c still running.
	close(gb)
	done, notDone = futures.Wait(ctx, fs, futures.FirstException)
	if !slices.Equal(done, []*futures.Future[int]{a, b}) || !slices.Equal(notDone, []*futures.Future[int]{c}) {
		t.Fatalf("FirstException: done=%v notDone=%v", done, notDone)
	}

	close(gc)
	done, notDone = futures.Wait(ctx, fs, futures.AllCompleted)
	if len(done) != 3 || len(notDone) != 0 {
		t.Fatalf("AllCompleted: done=%v notDone=%v", done, notDone)
	}

	// FirstException with no failure waits for all.
	ok1, g1 := gated(1, nil)
	ok2, g2 := gated(2, nil)
	x, y := submit(t, p, ok1), submit(t, p, ok2)
	close(g1)
	go func() { time.Sleep(5 * time.Millisecond); close(g2) }()
	done, _ = futures.Wait(ctx, []*futures.Future[int]{x, y}, futures.FirstException)
	if len(done) != 2 {
		t.Fatalf("FirstException without failures returned %d done", len(done))
	}
}

// Wait accepts futures of different result types together.
func TestWaitMixedTypes(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t)
	i := submit(t, p, func(context.Context) (int, error) { return 1, nil })
	s := submit(t, p, func(context.Context) (string, error) { return "s", nil })
	done, _ := futures.Wait(ctx, []futures.Waitable{i, s}, futures.AllCompleted)
	if len(done) != 2 {
		t.Fatalf("done = %d", len(done))
	}
}

func TestAsCompletedOrderTimeoutAndDuplicates(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(3))
	fa, ga := gated(1, nil)
	fb, gb := gated(2, nil)
	fc, gc := gated(3, nil) // not released before the timeout
	a, b, c := submit(t, p, fa), submit(t, p, fb), submit(t, p, fc)
	close(gb)
	go func() { time.Sleep(10 * time.Millisecond); close(ga) }()

	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	var got []int
	var lastErr error
	for f, err := range futures.AsCompleted(tctx, []*futures.Future[int]{a, b, b, c}) {
		if err != nil {
			lastErr = err
			break
		}
		v, _ := f.Result(ctx)
		got = append(got, v)
	}
	if !slices.Equal(got, []int{2, 1}) || !errors.Is(lastErr, futures.ErrTimeout) {
		t.Fatalf("as completed: %v, then %v", got, lastErr)
	}
	// Python: TimeoutError: 1 (of 3) futures unfinished (b counted once).
	var te *futures.TimeoutError
	if !errors.As(lastErr, &te) || te.Unfinished != 1 || te.Total != 3 ||
		lastErr.Error() != "futures: timed out: 1 (of 3) futures unfinished" {
		t.Fatalf("timeout error: %#v (%v)", lastErr, lastErr)
	}
	if c.Cancel() {
		t.Fatal("Cancel succeeded on a running future")
	}
	close(gc)
	if v, err := c.Result(ctx); v != 3 || err != nil {
		t.Fatalf("c = %v, %v after its gate opened", v, err)
	}
}

func TestMapOrderErrorsAndTimeout(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(4))
	slow := func(_ context.Context, n int) (int, error) {
		time.Sleep(time.Duration(10-n) * time.Millisecond) // later items finish first
		if n == 7 {
			return 0, errBoom
		}
		return n * n, nil
	}
	var got []int
	var gotErr error
	for v, err := range futures.Map(ctx, p, slow, slices.Values([]int{1, 2, 3, 7, 8})) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 4, 9}) || gotErr != errBoom {
		t.Fatalf("Map = %v then %v; want [1 4 9] then errBoom at the 4th item", got, gotErr)
	}

	tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	for _, err := range futures.Map(tctx, p, func(_ context.Context, n int) (int, error) { <-release; return n, nil }, slices.Values([]int{1})) {
		if !errors.Is(err, futures.ErrTimeout) {
			t.Fatalf("Map past its deadline yielded %v", err)
		}
	}
}

func TestMapBreakCancelsTheRest(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1))
	gate := make(chan struct{})
	var ran []int
	for v := range futures.Map(ctx, p, func(_ context.Context, n int) (int, error) {
		ran = append(ran, n) // one worker: no race
		if n > 1 {
			<-gate // holds the only worker until the loop has broken
		}
		return n, nil
	}, slices.Values([]int{1, 2, 3, 4, 5, 6, 7, 8})) {
		if v == 1 {
			break
		}
	}
	close(gate)
	p.Shutdown(true, false)
	// 2 may have started before the break; 3..8 were cancelled.
	if !slices.Equal(ran, []int{1}) && !slices.Equal(ran, []int{1, 2}) {
		t.Fatalf("after breaking out of Map, ran %v; want [1] or [1 2]", ran)
	}
}

func TestMapAfterShutdown(t *testing.T) {
	p := futures.NewThreadPool()
	p.Shutdown(true, false)
	for _, err := range futures.Map(deadline(t), p, func(_ context.Context, n int) (int, error) { return n, nil }, slices.Values([]int{1})) {
		if err != futures.ErrShutdown {
			t.Fatalf("Map after Shutdown yielded %v", err)
		}
	}
}
