package aio_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

func TestToThreadDoesNotBlockTheLoop(t *testing.T) {
	var ticks atomic.Int32
	var err error
	within(t, func() {
		_, err = aio.Run(aio.Async(func(t *aio.Task) (int, error) {
			ticker := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
				for {
					if err := aio.Sleep(t, 5*time.Millisecond); err != nil {
						return 0, err
					}
					ticks.Add(1)
				}
			}))
			v, err := aio.ToThread(t, func() (int, error) {
				time.Sleep(100 * time.Millisecond) // a blocking call, on another goroutine
				return 42, nil
			})
			ticker.Cancel()
			if v != 42 {
				return 0, fmt.Errorf("ToThread = %v, %v", v, err)
			}
			return 0, err
		}))
	})
	if err != nil || ticks.Load() < 3 {
		t.Fatalf("ticks while the thread blocked: %d (%v)", ticks.Load(), err)
	}
}

func TestExecutorWorkHoldsTheVirtualClock(t *testing.T) {
	check(t, func(t *aio.Task) error {
		start := t.Loop().Now()
		sleeper := aio.CreateTask(t, after(3600, nil))
		v, err := aio.ToThread(t, func() (string, error) {
			time.Sleep(50 * time.Millisecond)
			return "done", nil
		})
		if v != "done" || err != nil {
			return fmt.Errorf("ToThread: %v %v", v, err)
		}
		if now := t.Loop().Now(); now != start || sleeper.Done() {
			return fmt.Errorf("the virtual clock moved to %v while the thread worked", now.Sub(start))
		}
		sleeper.Cancel()
		aio.Await(t, sleeper)
		return nil
	})
}

func TestRunInExecutorCancellation(t *testing.T) {
	pool := futures.NewThreadPool(futures.MaxWorkers(1))
	defer pool.Shutdown(true, true)
	check(t, func(t *aio.Task) error {
		started := make(chan struct{})
		var cause atomic.Value
		running := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return aio.RunInExecutor(t, pool, func(ctx context.Context) (int, error) {
				close(started)
				<-ctx.Done()
				cause.Store(context.Cause(ctx))
				return 0, ctx.Err()
			})
		}))
		var ran atomic.Bool
		queued := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return aio.RunInExecutor(t, pool, func(ctx context.Context) (int, error) { ran.Store(true); return 0, nil })
		}))
		if _, err := aio.ToThread(t, func() (int, error) { <-started; return 0, nil }); err != nil {
			return err
		}
		queued.Cancel()
		running.Cancel()
		if _, err := aio.Await(t, running); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("running job's task: %v", err)
		}
		if _, err := aio.Await(t, queued); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("queued job's task: %v", err)
		}
		// Wait for the pool to drain, then check.
		if _, err := aio.RunInExecutor(t, pool, func(context.Context) (int, error) { return 0, nil }); err != nil {
			return err
		}
		if ran.Load() {
			return errors.New("a job cancelled while queued ran")
		}
		if c, _ := cause.Load().(error); c != aio.ErrCancelled {
			return fmt.Errorf("running job's context cause: %v", c)
		}
		return nil
	})
}

func TestRunInExecutorErrors(t *testing.T) {
	pool := futures.NewThreadPool()
	pool.Shutdown(true, false)
	check(t, func(t *aio.Task) error {
		if _, err := aio.RunInExecutor(t, pool, func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, futures.ErrShutdown) {
			return fmt.Errorf("shut-down executor: %v", err)
		}
		boom := errors.New("boom")
		if _, err := aio.ToThread(t, func() (int, error) { return 0, boom }); err != boom {
			return fmt.Errorf("failing job: %v", err)
		}
		_, err := aio.ToThread(t, func() (int, error) { panic("p") })
		var pe *futures.PanicError
		if !errors.As(err, &pe) {
			return fmt.Errorf("panicking job: %v", err)
		}
		return nil
	})
}

func TestWrapFuture(t *testing.T) {
	pool := futures.NewThreadPool(futures.MaxWorkers(1))
	defer pool.Shutdown(true, true)
	check(t, func(t *aio.Task) error {
		release := make(chan struct{})
		f1, _ := futures.Submit(pool, func(context.Context) (int, error) { <-release; return 1, nil })
		f2, _ := futures.Submit(pool, func(context.Context) (int, error) { return 2, nil })
		w2 := aio.WrapFuture(t.Loop(), f2)
		w2.Cancel() // still queued behind f1: cancelled for good
		close(release)
		if v, err := aio.Await[int](t, aio.WrapFuture(t.Loop(), f1)); v != 1 || err != nil {
			return fmt.Errorf("wrapped: %v %v", v, err)
		}
		if !f2.Cancelled() {
			return errors.New("cancelling the wrapper did not cancel the queued future")
		}
		// Wrapping a future cancelled by its executor.
		if _, err := aio.Await[int](t, aio.WrapFuture(t.Loop(), f2)); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled source: %v", err)
		}
		return nil
	})
}

func TestCustomDefaultExecutorIsShutDown(t *testing.T) {
	pool := futures.NewThreadPool(futures.MaxWorkers(2))
	v, err := run(t, aio.Async(func(t *aio.Task) (int, error) {
		return aio.ToThread(t, func() (int, error) { return 3, nil })
	}), aio.WithExecutor(pool))
	if v != 3 || err != nil {
		t.Fatal(v, err)
	}
	if _, err := futures.Submit(pool, func(context.Context) (int, error) { return 0, nil }); !errors.Is(err, futures.ErrShutdown) {
		t.Fatalf("executor still open after Run: %v", err)
	}
}
