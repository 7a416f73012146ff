package futures_test

import (
	"bytes"
	"context"
	"errors"
	"log"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// deadline bounds every wait of a test.
func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newPool(t *testing.T, opts ...futures.PoolOption) *futures.ThreadPool {
	p := futures.NewThreadPool(opts...)
	t.Cleanup(func() { shutdownWithin(t, p, 10*time.Second) })
	return p
}

func submit[T any](t *testing.T, ex futures.Executor, fn func(context.Context) (T, error), opts ...futures.SubmitOption) *futures.Future[T] {
	t.Helper()
	f, err := futures.Submit(ex, fn, opts...)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return f
}

// shutdownWithin shuts ex down and waits, failing the test rather than
// hanging when a task never finishes.
func shutdownWithin(t *testing.T, ex futures.Executor, d time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() { ex.Shutdown(true, true); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Errorf("Shutdown(wait) did not return within %v: a task never finished", d)
	}
}

var errBoom = errors.New("boom")

func TestSubmitResultAndErrors(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	ok := submit(t, p, func(context.Context) (int, error) { return 42, nil })
	bad := submit(t, p, func(context.Context) (int, error) { return 0, errBoom })
	pan := submit(t, p, func(context.Context) (int, error) { panic("oops") })

	if v, err := ok.Result(ctx); v != 42 || err != nil {
		t.Fatalf("Result = %d, %v", v, err)
	}
	if err := bad.Exception(ctx); err != errBoom {
		t.Fatalf("Exception = %v", err)
	}
	var pe *futures.PanicError
	if _, err := pan.Result(ctx); !errors.As(err, &pe) || pe.Value != "oops" || len(pe.Stack) == 0 {
		t.Fatalf("panicking task: %v", err)
	}
	if !ok.Done() || ok.Running() || ok.Cancelled() {
		t.Fatalf("finished future: done=%v running=%v cancelled=%v", ok.Done(), ok.Running(), ok.Cancelled())
	}
}

func TestResultTimeoutAndContext(t *testing.T) {
	p := newPool(t, futures.MaxWorkers(1))
	release := make(chan struct{})
	f := submit(t, p, func(context.Context) (int, error) { <-release; return 1, nil })
	if _, err := f.ResultTimeout(20 * time.Millisecond); err != futures.ErrTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ResultTimeout = %v", err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Result(cctx); err != context.Canceled {
		t.Fatalf("Result with a cancelled context = %v", err)
	}
	if !f.Running() || f.Done() {
		t.Fatalf("a timed-out wait changed the future: running=%v done=%v", f.Running(), f.Done())
	}
	close(release)
	if v, err := f.Result(deadline(t)); v != 1 || err != nil {
		t.Fatalf("Result after release = %d, %v", v, err)
	}
}

func TestCancelOnlyBeforeRunning(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1))
	started, release := make(chan struct{}), make(chan struct{})
	first := submit(t, p, func(context.Context) (int, error) { close(started); <-release; return 1, nil })
	ran := false
	queued := submit(t, p, func(context.Context) (int, error) { ran = true; return 2, nil })
	<-started
	if first.Cancel() {
		t.Fatal("Cancel succeeded on a running future")
	}
	if !queued.Cancel() || !queued.Cancel() {
		t.Fatal("Cancel failed on a queued future (or on the second call)")
	}
	if _, err := queued.Result(ctx); err != futures.ErrCancelled || !queued.Cancelled() || !queued.Done() {
		t.Fatalf("cancelled future: err=%v cancelled=%v", err, queued.Cancelled())
	}
	close(release)
	first.Result(ctx)
	p.Shutdown(true, false)
	if ran {
		t.Fatal("a cancelled task ran")
	}
	if first.Cancel() {
		t.Fatal("Cancel succeeded on a finished future")
	}
}

func TestDoneCallbacks(t *testing.T) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1))
	release := make(chan struct{})
	f := submit(t, p, func(context.Context) (string, error) { <-release; return "v", nil })
	var mu sync.Mutex
	var order []string
	add := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	f.AddDoneCallback(func(f *futures.Future[string]) { add("first") })
	f.AddDoneCallback(func(*futures.Future[string]) { panic("bad callback") })
	f.AddDoneCallback(func(f *futures.Future[string]) { v, _ := f.Result(ctx); add("third:" + v) })
	close(release)
	f.Result(ctx)
	p.Shutdown(true, false)                                          // callbacks ran in the worker, before it finished
	f.AddDoneCallback(func(*futures.Future[string]) { add("late") }) // runs at once
	if want := []string{"first", "third:v", "late"}; !slices.Equal(order, want) {
		t.Fatalf("callbacks ran %v, want %v", order, want)
	}
	if !strings.Contains(logged.String(), "bad callback") {
		t.Fatalf("the panicking callback was not logged: %q", logged.String())
	}
}

func TestShutdown(t *testing.T) {
	ctx := deadline(t)
	p := futures.NewThreadPool(futures.MaxWorkers(1))
	started, release := make(chan struct{}), make(chan struct{})
	running := submit(t, p, func(context.Context) (int, error) { close(started); <-release; return 1, nil })
	queued := submit(t, p, func(context.Context) (int, error) { return 2, nil })
	<-started
	go func() { time.Sleep(10 * time.Millisecond); close(release) }()
	p.Shutdown(true, true) // waits for the running task, cancels the queued one
	if !running.Done() || !queued.Cancelled() {
		t.Fatalf("after Shutdown: running done=%v, queued cancelled=%v", running.Done(), queued.Cancelled())
	}
	if _, err := futures.Submit(p, func(context.Context) (int, error) { return 0, nil }); err != futures.ErrShutdown {
		t.Fatalf("Submit after Shutdown = %v", err)
	}

	// Without cancelFutures, queued work still runs.
	p2 := futures.NewThreadPool(futures.MaxWorkers(1))
	fs := []*futures.Future[int]{}
	for i := range 5 {
		fs = append(fs, submit(t, p2, func(context.Context) (int, error) { return i, nil }))
	}
	p2.Shutdown(true, false)
	for i, f := range fs {
		if v, err := f.Result(ctx); v != i || err != nil {
			t.Fatalf("task %d after Shutdown(wait): %d, %v", i, v, err)
		}
	}
}

func TestMaxWorkersBoundsConcurrency(t *testing.T) {
	ctx := deadline(t)
	if p := futures.NewThreadPool(); p.MaxWorkers() < 5 || p.MaxWorkers() > 32 {
		t.Fatalf("default MaxWorkers = %d", p.MaxWorkers())
	}
	p := newPool(t, futures.MaxWorkers(3))
	var now, peak atomic.Int32
	var fs []*futures.Future[int]
	for range 30 {
		fs = append(fs, submit(t, p, func(context.Context) (int, error) {
			n := now.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			now.Add(-1)
			return 0, nil
		}))
	}
	futures.Wait(ctx, fs, futures.AllCompleted)
	if peak.Load() != 3 {
		t.Fatalf("peak concurrency %d, want 3", peak.Load())
	}
}

func TestWorkersCarryPprofLabels(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.NamePrefix("gcd"), futures.MaxWorkers(1))
	f := submit(t, p, func(context.Context) (string, error) {
		var buf bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&buf, 1)
		return buf.String(), nil
	})
	prof, _ := f.Result(ctx)
	if !strings.Contains(prof, `"executor":"gcd"`) || !strings.Contains(prof, `"worker":"gcd_0"`) {
		t.Fatalf("goroutine profile lacks the worker labels:\n%.2000s", prof)
	}
	if f.String() != "gcd#1" {
		t.Fatalf("future name %q", f.String())
	}
}
