package futures_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

// The seeds' wait_on_a and wait_on_b, ported as a Python programmer would:
// result() without the task's context.
var seedA, seedB *futures.Future[int]

func waitOnB(context.Context) (int, error) {
	if _, err := seedB.Result(context.Background()); err != nil {
		return 0, err
	}
	return 5, nil
}

func waitOnA(context.Context) (int, error) {
	if _, err := seedA.ResultTimeout(testbound.Deadline); err != nil {
		return 0, err
	}
	return 6, nil
}

// Python's docs: a waits on b and b on a, and both hang. Here they wait
// with context.Background and with ResultTimeout, not the task's context,
// and the wait that closes the cycle still fails at once; the message
// names the functions the futures run.
func TestSeedDeadlockWithoutTaskContext(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	start := make(chan struct{})
	gated := func(fn func(context.Context) (int, error)) func(context.Context) (int, error) {
		return func(ctx context.Context) (int, error) { <-start; return fn(ctx) }
	}
	seedA = submit(t, p, gated(waitOnB), futures.Name("a"))
	seedB = submit(t, p, gated(waitOnA), futures.Name("b"))
	begun := time.Now()
	close(start)
	errA, errB := seedA.Exception(ctx), seedB.Exception(ctx)
	if !errors.Is(errA, futures.ErrDeadlock) || !errors.Is(errB, futures.ErrDeadlock) {
		t.Fatalf("a: %v; b: %v; want both to fail with the deadlock", errA, errB)
	}
	if d := time.Since(begun); d > testbound.Deadline/2 {
		t.Errorf("the deadlock took %v to report: ResultTimeout waited for its time to run out", d)
	}
	var de *futures.DeadlockError
	if !errors.As(errA, &de) {
		errors.As(errB, &de)
	}
	msg := de.Error()
	// gated wraps the seeds' functions: the closure is what was submitted.
	for _, want := range []string{"a (futures_test.TestSeedDeadlockWithoutTaskContext.", "b (futures_test.TestSeedDeadlockWithoutTaskContext."} {
		if !strings.Contains(msg, want) {
			t.Errorf("message does not name %q: %s", want, msg)
		}
	}
}

// Submitted directly, the functions' own names appear.
func TestDeadlockMessageNamesFunctions(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("solo"))
	gate := make(chan struct{})
	blocker := submit(t, p, func(context.Context) (int, error) { <-gate; return 0, nil })
	seedB = submit(t, p, waitOnA, futures.Name("b"))
	seedA = submit(t, p, waitOnB, futures.Name("a"))
	close(gate)
	blocker.Result(ctx)
	// b runs, waits on a, which is queued behind b in the only worker.
	_, err := seedB.Result(ctx)
	deadlocked(t, err, "futures: deadlock: b (futures_test.waitOnA) waits on a (futures_test.waitOnB)",
		"a (futures_test.waitOnB) is queued in solo", "all 1 workers of solo are blocked: b (futures_test.waitOnA)")
	var de *futures.DeadlockError
	errors.As(err, &de)
	if de.Waiter != "b" || de.WaiterFunc != "futures_test.waitOnA" || de.Target != "a" || de.TargetFunc != "futures_test.waitOnB" {
		t.Errorf("DeadlockError = %+v", de)
	}
	// a runs once b gives up, and fails with b's error.
	if _, err := seedA.Result(ctx); !errors.Is(err, futures.ErrDeadlock) {
		t.Errorf("a: %v", err)
	}
}

var double = futures.Register("futures_test.double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })

// A registered function run on a ThreadPool is named by its registered
// name, not by the wrapper that calls it.
func TestDeadlockMessageNamesRegisteredFunction(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("solo"))
	outer := submit(t, p, func(context.Context) (int, error) {
		inner, err := double.Submit(p, 21)
		if err != nil {
			return 0, err
		}
		return inner.ResultTimeout(testbound.Deadline)
	})
	_, err := outer.Result(ctx)
	deadlocked(t, err, "(futures_test.double) is queued in solo")
}

// The nested submit into a full pool, waited on with ResultTimeout as
// Python's result(timeout=) is, or with a context of its own: reported at
// once, not after the timeout.
func TestNestedSubmitWithoutTaskContext(t *testing.T) {
	for name, wait := range map[string]func(f *futures.Future[int]) (int, error){
		"ResultTimeout": func(f *futures.Future[int]) (int, error) { return f.ResultTimeout(testbound.Deadline) },
		"Background":    func(f *futures.Future[int]) (int, error) { return f.Result(context.Background()) },
		"WithTimeout": func(f *futures.Future[int]) (int, error) {
			ctx, cancel := context.WithTimeout(context.Background(), testbound.Deadline)
			defer cancel()
			return f.Result(ctx)
		},
		"Exception": func(f *futures.Future[int]) (int, error) { return 0, f.Exception(context.TODO()) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := deadline(t)
			p := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("solo"))
			outer := submit(t, p, func(context.Context) (int, error) {
				inner, err := futures.Submit(p, func(context.Context) (int, error) { return 42, nil }, futures.Name("inner"))
				if err != nil {
					return 0, err
				}
				return wait(inner)
			}, futures.Name("outer"))
			begun := time.Now()
			_, err := outer.Result(ctx)
			deadlocked(t, err, "outer (", "waits on inner", "all 1 workers of solo are blocked")
			if d := time.Since(begun); d > testbound.Deadline/2 {
				t.Errorf("reported after %v", d)
			}
		})
	}
}

// Waits without the task's context that can finish are not reported: a
// free worker, a slow future, and a goroutine of the task's own (not a
// worker: it blocks nothing).
func TestNoFalseDeadlocksWithoutTaskContext(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	nested := submit(t, p, func(context.Context) (int, error) {
		inner := submit(t, p, func(context.Context) (int, error) { return 42, nil })
		return inner.ResultTimeout(testbound.Deadline)
	})
	if v, err := nested.Result(ctx); v != 42 || err != nil {
		t.Errorf("nested with a free worker: %v, %v", v, err)
	}

	single := newPool(t, futures.MaxWorkers(1))
	gate := make(chan struct{})
	slow := submit(t, p, func(context.Context) (int, error) { <-gate; return 1, nil })
	waiter := submit(t, single, func(context.Context) (int, error) { return slow.Result(context.Background()) })
	time.AfterFunc(10*time.Millisecond, func() { close(gate) })
	if v, err := waiter.Result(ctx); v != 1 || err != nil {
		t.Errorf("waiting on a slow future of another pool: %v, %v", v, err)
	}

	// A goroutine started by a task waits on a future queued behind that
	// task in a one-worker pool; the task then returns: no deadlock.
	queued := make(chan *futures.Future[int], 1)
	got := make(chan error, 1)
	first := submit(t, single, func(context.Context) (int, error) {
		q := <-queued
		go func() { _, err := q.Result(context.Background()); got <- err }()
		time.Sleep(10 * time.Millisecond)
		return 0, nil
	})
	queued <- submit(t, single, func(context.Context) (int, error) { return 2, nil })
	first.Result(ctx)
	if err := testbound.Within(t, func() error { return <-got }); err != nil {
		t.Errorf("a task's own goroutine: %v", err)
	}
}

// Shutdown with wait called by one of the pool's own tasks would wait for
// itself (Python: RuntimeError, cannot join current thread, after it has
// joined the others): it returns a *DeadlockError at once, and the pool
// is shut down all the same.
func TestShutdownFromOwnWorker(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2), futures.NamePrefix("self"))
	other := newPool(t, futures.MaxWorkers(1))
	gate := make(chan struct{})
	started := make(chan struct{}, 2)
	stopper := submit(t, p, func(context.Context) (int, error) {
		started <- struct{}{}
		<-gate
		return 0, p.Shutdown(true, true)
	}, futures.Name("stopper"))
	// A second task keeps the other worker busy, and a third waits in the
	// queue: cancelFutures cancels it.
	release := make(chan struct{})
	busy := submit(t, p, func(context.Context) (int, error) { started <- struct{}{}; <-release; return 1, nil })
	testbound.Within(t, func() struct{} { <-started; <-started; return struct{}{} })
	queued := submit(t, p, func(context.Context) (int, error) { return 2, nil })
	close(gate)

	err := stopper.Exception(ctx)
	var de *futures.DeadlockError
	if !errors.As(err, &de) || !errors.Is(err, futures.ErrDeadlock) {
		t.Fatalf("Shutdown(wait) from a worker: %v; want a *DeadlockError", err)
	}
	if de.Waiter != "stopper" || de.Target != "self" || !strings.Contains(err.Error(), "stopper (futures_test.TestShutdownFromOwnWorker.func1) runs in a worker of self and calls Shutdown with wait") {
		t.Errorf("message: %v (%+v)", err, de)
	}
	if _, err := futures.Submit(p, func(context.Context) (int, error) { return 0, nil }); err != futures.ErrShutdown {
		t.Errorf("Submit after the refused Shutdown: %v, want ErrShutdown", err)
	}
	if !queued.Cancelled() {
		t.Errorf("cancelFutures did not cancel the queued task")
	}
	close(release)
	if v, err := busy.Result(ctx); v != 1 || err != nil {
		t.Errorf("busy: %v, %v", v, err)
	}
	// Without wait, or on another pool, Shutdown from a task is fine.
	f := submit(t, other, func(context.Context) (int, error) {
		return 0, errors.Join(other.Shutdown(false, false), p.Shutdown(true, false))
	})
	if err := f.Exception(ctx); err != nil {
		t.Errorf("Shutdown(false) of its own pool and Shutdown(true) of another: %v", err)
	}
	if err := testbound.Within(t, func() error { return p.Shutdown(true, false) }); err != nil {
		t.Errorf("Shutdown(wait) from outside: %v", err)
	}
}

// ExampleThreadPool_Shutdown shows Shutdown with wait refused inside one
// of the pool's own tasks, where it would wait for itself.
func ExampleThreadPool_Shutdown() {
	pool := futures.NewThreadPool(futures.MaxWorkers(1), futures.NamePrefix("pool"))
	defer pool.Shutdown(true, false)
	f, _ := futures.Submit(pool, func(ctx context.Context) (int, error) {
		return 0, pool.Shutdown(true, false)
	}, futures.Name("stop"))
	err := f.Exception(context.Background())
	fmt.Println(errors.Is(err, futures.ErrDeadlock))
	// Output: true
}

// ExampleFuture_ResultTimeout shows a nested submit into a full pool,
// waited on with a timeout as in Python: reported as a deadlock at once.
func ExampleFuture_ResultTimeout() {
	pool := futures.NewThreadPool(futures.MaxWorkers(1), futures.NamePrefix("pool"))
	defer pool.Shutdown(true, false)
	outer, _ := futures.Submit(pool, func(ctx context.Context) (int, error) {
		inner, err := futures.Submit(pool, func(context.Context) (int, error) { return 42, nil }, futures.Name("inner"))
		if err != nil {
			return 0, err
		}
		return inner.ResultTimeout(time.Hour)
	}, futures.Name("outer"))
	_, err := outer.Result(context.Background())
	var de *futures.DeadlockError
	if errors.As(err, &de) {
		fmt.Println(de.Waiter, "waits on", de.Target, "in a full pool")
	}
	// Output: outer waits on inner in a full pool
}
