package main

import (
	"errors"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// DirectDouble is a direct-mode coroutine (not annotated): it awaits a
// lowered one.
func DirectDouble(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		x, err := aio.Await(t, Value(v, 100))
		if err != nil {
			return 0, err
		}
		aio.Sleep(t, time.Second)
		return 2 * x, nil
	})
}

// DirectFail fails after a sleep.
func DirectFail() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, time.Second)
		return 0, errBoom
	})
}

// Interop awaits direct coroutines, a handle, a future set by a timer
// callback, and a reused coroutine.
//
//asyncgo:async
func Interop() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		a, err := aio.Await(t, DirectDouble(4))
		logf(l, "direct double %d %v", a, err)
		_, err = aio.Await(t, DirectFail())
		logf(l, "direct fail %v %v", err, errors.Is(err, errBoom))
		h := aio.CreateTask(t, Value(5, 2000))
		b, err := aio.Await(t, h)
		logf(l, "handle %d %v, done %v", b, err, h.Done())
		fut := aio.NewFuture[int](l)
		l.CallLater(3*time.Second, func() { fut.SetResult(42) })
		c, err := aio.Await(t, fut)
		logf(l, "future %d %v", c, err)
		c2, err := aio.Await(t, fut) // done already: no suspension
		logf(l, "future again %d %v", c2, err)
		co := Value(1, 1)
		aio.Await(t, co)
		_, err = aio.Await(t, co)
		logf(l, "reused: %v", err)
		return a + b + c, nil
	})
}

// DirectMain is a direct task awaiting the lowered Interop.
func DirectMain() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		n, err := aio.Await(t, Interop())
		logf(t.Loop(), "interop -> %d %v", n, err)
		return n + 1, err
	})
}

var _ = register("interop_lowered_direct", func() {
	run(Interop())
	run(DirectMain())
})
