package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Inner sleeps an hour; a deferred recover stops whatever panic unwinds
// it, the one Loop.Close unwinds suspended bodies with too, and returns.
//
//asyncgo:async
func Inner() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (res int, err error) {
		l := t.Loop()
		defer func() {
			if r := recover(); r != nil {
				logf(l, "inner recovered %v", r)
				res, err = -1, nil
			}
		}()
		err = aio.Sleep(t, time.Hour)
		return 1, err
	})
}

// OuterClose awaits Inner inline: when Inner recovers and returns, the
// await returns and OuterClose carries on (in direct mode, and as Go's
// recover says: the function that recovered returns normally to its
// caller).
//
//asyncgo:async
func OuterClose() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "outer deferred")
		n, err := aio.Await(t, Inner())
		logf(l, "outer after inner: %d %v", n, err)
		err = aio.Sleep(t, time.Second)
		logf(l, "outer sleep after close: %v", err)
		return n, err
	})
}

// Brief sleeps a second.
//
//asyncgo:async
func Brief() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return 0, aio.Sleep(t, time.Second)
	})
}

var _ = register("close_recovered_inline", func() {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	h := aio.NewTask(l, OuterClose())
	out.log("run until complete: %s", describe(l.RunUntilComplete(Brief())))
	out.log("close: %s", describe(l.Close()))
	n, err := h.Result()
	out.log("outer: %d %s cancelled=%v", n, describe(err), h.Cancelled())
})
