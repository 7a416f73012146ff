package aio

import (
	"errors"
	"testing"
	"time"
)

// After's future and its timer are one allocation; whichever way the
// future ends, its timer leaves the loop's heap, so that nothing of a
// finished sleep stays behind.

func TestAfterCompletesOnTime(t *testing.T) {
	l := NewLoop(WithVirtualClock(time.Unix(0, 0)))
	defer l.Close()
	start := l.Now()
	f := After(l, time.Second)
	if err := l.RunUntilComplete(f); err != nil {
		t.Fatal(err)
	}
	if d := l.Now().Sub(start); d != time.Second {
		t.Errorf("After(1s) completed after %v", d)
	}
	if _, err := f.Result(); err != nil || f.Cancelled() {
		t.Errorf("Result: %v, cancelled %v; want a result", err, f.Cancelled())
	}
	if n := l.timers.len(); n != 0 {
		t.Errorf("%d timers left in the heap", n)
	}
}

func TestAfterEndedEarlyStopsTimer(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name string
		end  func(f *Future[struct{}]) bool
		want error
	}{
		{"Cancel", func(f *Future[struct{}]) bool { return f.Cancel() }, ErrCancelled},
		{"SetResult", func(f *Future[struct{}]) bool { return f.SetResult(struct{}{}) == nil }, nil},
		{"SetErr", func(f *Future[struct{}]) bool { return f.SetErr(boom) == nil }, boom},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := NewLoop(WithVirtualClock(time.Unix(0, 0)))
			defer l.Close()
			f := After(l, time.Hour)
			if n := l.timers.len(); n != 1 {
				t.Fatalf("%d timers in the heap after After, want 1", n)
			}
			if !c.end(f) {
				t.Fatalf("%s of a pending After future failed", c.name)
			}
			if n := l.timers.len(); n != 0 {
				t.Errorf("%d timers left in the heap after %s", n, c.name)
			}
			if _, err := f.Result(); !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
				t.Errorf("Result after %s: %v, want %v", c.name, err, c.want)
			}
			if f.Cancel() {
				t.Errorf("Cancel after %s reported a pending future", c.name)
			}
		})
	}
}

// TestAfterOneAllocation: the future a lowered Sleep waits on costs one
// allocation (it was four, and a fifth for its waiter).
func TestAfterOneAllocation(t *testing.T) {
	l := NewLoop()
	defer l.Close()
	if n := testing.AllocsPerRun(100, func() { After(l, time.Hour).Cancel() }); n != 1 {
		t.Errorf("After allocates %v times, want 1", n)
	}
}
