package futures_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

// Python's asyncio.TimeoutError and concurrent.futures.TimeoutError are
// both the builtin TimeoutError; the packages' sentinels line up the same
// way, and with context's errors.
func TestErrorsLineUpAcrossPackages(t *testing.T) {
	for _, c := range []struct {
		err, target error
		want        bool
	}{
		{futures.ErrTimeout, aio.ErrTimeout, true},
		{aio.ErrTimeout, futures.ErrTimeout, true},
		{futures.ErrTimeout, context.DeadlineExceeded, true},
		{aio.ErrTimeout, context.DeadlineExceeded, true},
		{fmt.Errorf("wrapped: %w", futures.ErrTimeout), aio.ErrTimeout, true},
		{futures.ErrCancelled, aio.ErrCancelled, true},
		{aio.ErrCancelled, futures.ErrCancelled, true},
		{futures.ErrCancelled, context.Canceled, true},
		{aio.ErrCancelled, context.Canceled, true},
		{fmt.Errorf("wrapped: %w", aio.ErrCancelled), futures.ErrCancelled, true},
		// A timeout is not a cancellation, and the reverse.
		{futures.ErrTimeout, aio.ErrCancelled, false},
		{futures.ErrTimeout, context.Canceled, false},
		{aio.ErrCancelled, futures.ErrTimeout, false},
		{futures.ErrCancelled, context.DeadlineExceeded, false},
		// Each keeps its own message.
		{futures.ErrCancelled, futures.ErrShutdown, false},
	} {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("errors.Is(%q, %q) = %v, want %v", c.err, c.target, got, c.want)
		}
	}
}

// An executor future cancelled while a task awaits it: the task's error
// is a cancellation for both packages.
func TestCancelledExecutorFutureInTask(t *testing.T) {
	pool := futures.NewThreadPool(futures.MaxWorkers(1))
	defer pool.Shutdown(true, false)
	release := make(chan struct{})
	started := make(chan struct{})
	busy, err := futures.Submit(pool, func(ctx context.Context) (int, error) {
		close(started)
		<-release
		return 1, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := futures.Submit(pool, func(ctx context.Context) (int, error) { return 2, nil })
	if err != nil {
		t.Fatal(err)
	}
	testbound.Within(t, func() struct{} { <-started; return struct{}{} })
	err = testbound.Within(t, func() error {
		_, err := aio.Run(aio.Async(func(tk *aio.Task) (int, error) {
			w := aio.WrapFuture(tk.Loop(), queued)
			if !queued.Cancel() { // still queued behind busy: cancellable
				return 0, errors.New("Cancel of a queued future returned false")
			}
			return aio.Await(tk, w)
		}))
		return err
	})
	close(release)
	if !errors.Is(err, aio.ErrCancelled) || !errors.Is(err, futures.ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Errorf("awaiting a cancelled executor future: %v; want a match for aio.ErrCancelled, futures.ErrCancelled and context.Canceled", err)
	}
	if v, err := busy.ResultTimeout(testbound.Deadline); v != 1 || err != nil {
		t.Errorf("busy = %v, %v", v, err)
	}
	// The executor future's own error matches aio's too.
	if _, err := queued.Result(context.Background()); !errors.Is(err, aio.ErrCancelled) {
		t.Errorf("queued.Result = %v, want a match for aio.ErrCancelled", err)
	}
}
