package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// ToThread and RunInExecutor as resume points of lowered bodies: a
// result, an error, a call cancelled while it runs (its context is
// cancelled with ErrCancelled).

// opsBlocking runs a call that returns when its context is cancelled.
//
//asyncgo:async
func opsBlocking(started chan<- struct{}) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		v, err := aio.RunInExecutor(t, nil, func(ctx context.Context) (string, error) {
			close(started)
			<-ctx.Done()
			return fmt.Sprint("stopped: ", context.Cause(ctx)), nil
		})
		logf(t.Loop(), "blocking call: %q %v", v, err)
		return v, err
	})
}

// opsThreadsMain runs calls on the loop's default executor.
//
//asyncgo:async
func opsThreadsMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		v, err := aio.ToThread(t, func() (int, error) { return 6 * 7, nil })
		logf(l, "to thread %d %v", v, err)
		_, err = aio.ToThread(t, func() (int, error) { return 0, errBoom })
		logf(l, "to thread error %v", errors.Is(err, errBoom))
		s, err := aio.RunInExecutor(t, nil, func(ctx context.Context) (string, error) {
			return fmt.Sprint("ran with a context: ", ctx.Err()), nil
		})
		logf(l, "run in executor %q %v", s, err)
		started := make(chan struct{})
		h := aio.CreateTask(t, opsBlocking(started))
		if _, err := aio.ToThread(t, func() (bool, error) { <-started; return true, nil }); err != nil {
			return "", err
		}
		h.Cancel()
		s, err = aio.Await(t, h)
		logf(l, "cancelled blocking call %q %v", s, err)
		return "ok", nil
	})
}

var _ = register("ops_threads", func() { run(opsThreadsMain()) })
