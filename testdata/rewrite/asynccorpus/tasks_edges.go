package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Edge cases of awaiting: a coroutine already scheduled as a task, a
// coroutine awaited twice, a handle of a task of another loop, a nil
// coroutine, a future failed by a callback, a handle awaited by two
// tasks that are both cancelled.

// Edges awaits each kind of edge.
//
//asyncgo:async
func Edges() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		c := Quick(1)
		h := aio.CreateTask(t, c)
		_, err := aio.Await(t, c)
		logf(l, "await a scheduled coroutine: %v", err)
		v, err := aio.Await(t, h)
		logf(l, "its handle: %d %v", v, err)

		other := aio.NewLoop(aio.WithVirtualClock(epoch))
		oh := aio.NewTask(other, Quick(5))
		_, err = aio.Await(t, oh)
		logf(l, "handle of another loop: %v", err)
		other.Close()

		f := aio.NewFuture[int](l)
		l.CallLater(time.Second, func() { f.SetErr(fmt.Errorf("callback failed: %w", errBoom)) })
		_, err = aio.Await(t, f)
		logf(l, "failed future: %v", err)

		shared := aio.CreateTask(t, Napper("shared", time.Hour))
		w1 := aio.CreateTask(t, AwaitShared(shared, "w1"))
		w2 := aio.CreateTask(t, AwaitShared(shared, "w2"))
		aio.Sleep(t, time.Second)
		w1.Cancel()
		aio.Sleep(t, time.Second)
		logf(l, "after w1 cancelled: shared done=%v", shared.Done())
		w2.Cancel()
		aio.Sleep(t, 0)
		logf(l, "after w2 cancelled: shared done=%v cancelled=%v", shared.Done(), shared.Cancelled())
		return "edges", nil
	})
}

// AwaitShared awaits a handle others await too.
//
//asyncgo:async
func AwaitShared(h *aio.Handle[time.Duration], name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		d, err := aio.Await(t, h)
		logf(t.Loop(), "%s: %v %v", name, d, err)
		return 0, err
	})
}

var _ = register("tasks_await_edges", func() { run(Edges()) })
