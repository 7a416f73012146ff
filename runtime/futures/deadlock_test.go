package futures_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// deadlocked asserts that err reports a deadlock whose message names every
// one of names.
func deadlocked(t *testing.T, err error, names ...string) {
	t.Helper()
	var de *futures.DeadlockError
	if !errors.As(err, &de) || !errors.Is(err, futures.ErrDeadlock) {
		t.Fatalf("err = %v; want a *DeadlockError", err)
	}
	for _, n := range names {
		if !strings.Contains(de.Error(), n) {
			t.Errorf("deadlock report does not name %s: %v", n, de)
		}
	}
}

// The seeds' official deadlock (Python's docs): with two workers, a waits
// on b and b waits on a. Python hangs forever; here the wait that closes
// the cycle fails, which unblocks the other.
func TestWaitOnEachOther(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	start := make(chan struct{})
	var a, b *futures.Future[int]
	waitOnB := func(ctx context.Context) (int, error) {
		<-start
		if _, err := b.Result(ctx); err != nil {
			return 0, err
		}
		return 5, nil
	}
	waitOnA := func(ctx context.Context) (int, error) {
		<-start
		if _, err := a.Result(ctx); err != nil {
			return 0, err
		}
		return 6, nil
	}
	a = submit(t, p, waitOnB, futures.Name("a"))
	b = submit(t, p, waitOnA, futures.Name("b"))
	close(start)

	errA, errB := a.Exception(ctx), b.Exception(ctx)
	if !errors.Is(errA, futures.ErrDeadlock) || !errors.Is(errB, futures.ErrDeadlock) {
		t.Fatalf("a: %v; b: %v; want both to fail with the deadlock", errA, errB)
	}
	// Exactly one wait was refused; the other future failed with its error.
	var de *futures.DeadlockError
	errors.As(errA, &de)
	deadlocked(t, errA, "a", "b")
	if (de.Waiter == "a") == (de.Target == "a") {
		t.Errorf("waiter %q, target %q: want one of a and b each", de.Waiter, de.Target)
	}
}

func TestWaitOnItself(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(4))
	start := make(chan struct{})
	var self *futures.Future[int]
	self = submit(t, p, func(ctx context.Context) (int, error) {
		<-start
		return self.Result(ctx)
	}, futures.Name("narcissus"))
	close(start)
	_, err := self.Result(ctx)
	deadlocked(t, err, "narcissus (futures_test.TestWaitOnItself.func1) waits on narcissus")
}

func TestLongerCycle(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(3))
	start := make(chan struct{})
	fs := make([]*futures.Future[int], 3)
	names := []string{"x", "y", "z"}
	for i := range fs {
		next := (i + 1) % len(fs)
		fs[i] = submit(t, p, func(ctx context.Context) (int, error) {
			<-start
			return fs[next].Result(ctx)
		}, futures.Name(names[i]))
	}
	close(start)
	reported := 0
	for _, f := range fs {
		err := f.Exception(ctx)
		if !errors.Is(err, futures.ErrDeadlock) {
			t.Fatalf("%v: %v; want the deadlock", f, err)
		}
		var de *futures.DeadlockError
		errors.As(err, &de)
		if de.Waiter == f.String() {
			reported++
			deadlocked(t, err, "x", "y", "z")
		}
	}
	if reported != 1 {
		t.Errorf("%d waits refused; want exactly 1 (the one that closed the cycle)", reported)
	}
}

// nested is a task that submits inner work to its own pool and waits.
func nested(p futures.Executor, start <-chan struct{}) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		<-start
		inner, err := futures.Submit(p, func(context.Context) (int, error) { return 42, nil }, futures.Name("inner"))
		if err != nil {
			return 0, err
		}
		return inner.Result(ctx)
	}
}

func TestNestedSubmitStarvesOneWorker(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("solo"))
	start := make(chan struct{})
	close(start)
	outer := submit(t, p, nested(p, start), futures.Name("outer"))
	_, err := outer.Result(ctx)
	deadlocked(t, err, "outer (futures_test.", "waits on inner (futures_test.", "is queued in solo", "all 1 workers of solo are blocked: outer (futures_test.")
}

// The seed's nested submit with ten workers is fine: a worker is free.
func TestNestedSubmitWithRoomIsNotReported(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(10))
	start := make(chan struct{})
	close(start)
	outer := submit(t, p, nested(p, start), futures.Name("outer"))
	if v, err := outer.Result(ctx); v != 42 || err != nil {
		t.Fatalf("outer = %v, %v; want 42", v, err)
	}
}

// Two workers each nesting: the second to block starves the pool; its wait
// is refused, which frees a worker, and the first completes.
func TestNestedSubmitStarvesEveryWorker(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	start := make(chan struct{})
	a := submit(t, p, nested(p, start), futures.Name("a"))
	b := submit(t, p, nested(p, start), futures.Name("b"))
	close(start)
	va, errA := a.Result(ctx)
	vb, errB := b.Result(ctx)
	switch {
	case errA == nil && va == 42 && errors.Is(errB, futures.ErrDeadlock):
		deadlocked(t, errB, "b (futures_test.", "waits on inner", "all 2 workers")
	case errB == nil && vb == 42 && errors.Is(errA, futures.ErrDeadlock):
		deadlocked(t, errA, "a (futures_test.", "waits on inner", "all 2 workers")
	default:
		t.Fatalf("a = %v, %v; b = %v, %v; want one deadlock and one 42", va, errA, vb, errB)
	}
}

// A cycle across two pools: t1 (pool one) waits on t2 (pool two), which
// waits on t3, queued behind t1 in pool one's only worker.
func TestStarvationAcrossPools(t *testing.T) {
	ctx := deadline(t)
	one := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("one"))
	two := newPool(t, futures.MaxWorkers(1), futures.NamePrefix("two"))
	t1 := submit(t, one, func(ctx context.Context) (int, error) {
		t2, err := futures.Submit(two, func(ctx context.Context) (int, error) {
			t3, err := futures.Submit(one, func(context.Context) (int, error) { return 3, nil }, futures.Name("t3"))
			if err != nil {
				return 0, err
			}
			return t3.Result(ctx)
		}, futures.Name("t2"))
		if err != nil {
			return 0, err
		}
		return t2.Result(ctx)
	}, futures.Name("t1"))
	_, err := t1.Result(ctx)
	deadlocked(t, err, "t1", "t2", "t3", "one")
}

// Waits that are merely slow, or that come from outside any task, are never
// reported.
func TestNoFalseDeadlocks(t *testing.T) {
	ctx := deadline(t)
	p := newPool(t, futures.MaxWorkers(2))
	gate := make(chan struct{})
	slow := submit(t, p, func(context.Context) (int, error) { <-gate; return 1, nil }, futures.Name("slow"))
	waiter := submit(t, p, func(ctx context.Context) (int, error) { return slow.Result(ctx) }, futures.Name("waiter"))
	// A third task queues behind both workers; it waits on nothing.
	queued := submit(t, p, func(context.Context) (int, error) { return 3, nil }, futures.Name("queued"))
	close(gate)
	for _, f := range []*futures.Future[int]{slow, waiter, queued} {
		if _, err := f.Result(ctx); err != nil {
			t.Errorf("%v: %v", f, err)
		}
	}
}
