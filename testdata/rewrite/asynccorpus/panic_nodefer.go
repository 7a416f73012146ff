package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Panics in bodies that defer nothing (no defer statement, no scope, no
// range-over-func loop), which a lowered Step runs without a deferred
// Frame.Unwind: the panic must go on exactly as in direct mode, through
// the awaiting bodies (whose defers run, and whose deferred recover stops
// it), or fail the task with a *PanicError of the same value; cancellation
// and Loop.Close reach them as before.

// NoDeferLeaf panics with v, before its first suspension when early, else after
// a sleep (resumed at a resume point); v == 0 returns, v < 0 indexes out
// of range (a runtime error).
//
//asyncgo:async
func NoDeferLeaf(v int, early bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if early && v > 0 {
			panic(fmt.Sprint("bare early ", v))
		}
		if err := aio.Sleep(t, time.Millisecond); err != nil {
			return -1, err
		}
		if v < 0 {
			var xs []int
			return xs[-v], nil
		}
		if v > 0 {
			panic(fmt.Sprint("bare late ", v))
		}
		return 7, nil
	})
}

// NoDeferMiddle awaits NoDeferLeaf with nothing deferred either: two levels of bodies
// without Unwind.
//
//asyncgo:async
func NoDeferMiddle(v int, early bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		n, err := aio.Await(t, NoDeferLeaf(v, early))
		if err != nil {
			return n, fmt.Errorf("middle: %w", err)
		}
		return n + 1, nil
	})
}

// NoDeferKeeper defers a log and a recover, and awaits NoDeferMiddle: the panic of the
// bodies below unwinds it, its defers run, and its named results are
// what it returns once recovered.
//
//asyncgo:async
func NoDeferKeeper(v int, early bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (n int, err error) {
		defer catch(t.Loop(), fmt.Sprint("keeper ", v))
		defer logf(t.Loop(), "keeper %d deferred", v)
		n = -100
		n, err = aio.Await(t, NoDeferMiddle(v, early))
		logf(t.Loop(), "keeper %d: %d %v", v, n, err)
		return n, err
	})
}

// NoDeferLeaky defers a log but recovers nothing: the panic fails its task.
//
//asyncgo:async
func NoDeferLeaky(v int, early bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "leaky %d deferred", v)
		return aio.Await(t, NoDeferMiddle(v, early))
	})
}

// NoDeferDirect is a direct coroutine awaiting NoDeferMiddle with a deferred
// recover.
func NoDeferDirect(v int, early bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (n int, err error) {
		defer catch(t.Loop(), fmt.Sprint("direct keeper ", v))
		return aio.Await(t, NoDeferMiddle(v, early))
	})
}

// NoDeferPanics awaits NoDeferKeeper at one site for each kind of outcome, in a
// loop (the kept machines of NoDeferKeeper, NoDeferMiddle and NoDeferLeaf are entered again
// after each panic), then runs NoDeferLeaky, NoDeferDirect and NoDeferLeaf itself as
// tasks.
//
//asyncgo:async
func NoDeferPanics() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var got []string
		for _, c := range []struct {
			v     int
			early bool
		}{{0, false}, {1, true}, {2, false}, {0, true}, {-3, false}, {4, false}, {0, false}} {
			n, err := aio.Await(t, NoDeferKeeper(c.v, c.early))
			got = append(got, fmt.Sprintf("keeper %d %v: %d %v", c.v, c.early, n, err))
		}
		for _, c := range []struct {
			v     int
			early bool
		}{{5, true}, {6, false}, {-1, false}, {0, false}} {
			hs := []*aio.Handle[int]{
				aio.CreateTask(t, NoDeferLeaky(c.v, c.early)),
				aio.CreateTask(t, NoDeferDirect(c.v, c.early)),
				aio.CreateTask(t, NoDeferLeaf(c.v, c.early)),
			}
			for i, h := range hs {
				n, err := aio.Await(t, h)
				got = append(got, fmt.Sprintf("task %d/%d: %d %s", c.v, i, n, describe(err)))
			}
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("panic_nodefer_inline", func() { run(NoDeferPanics()) })

// NoDeferCancel cancels tasks of NoDeferKeeper and NoDeferLeaky while NoDeferLeaf sleeps below
// NoDeferMiddle, and closes a loop while one sleeps there.
//
//asyncgo:async
func NoDeferCancel() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		a := aio.CreateTask(t, NoDeferKeeper(3, false))
		b := aio.CreateTask(t, NoDeferLeaky(3, false))
		c := aio.CreateTask(t, NoDeferMiddle(0, false))
		aio.Sleep(t, 0)
		a.Cancel()
		b.Cancel()
		c.Cancel()
		var got []string
		for _, h := range []*aio.Handle[int]{a, b, c} {
			n, err := aio.Await(t, h)
			got = append(got, fmt.Sprintf("%d %s %v", n, describe(err), h.Cancelled()))
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("panic_nodefer_cancel", func() {
	run(NoDeferCancel())
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	h := aio.NewTask(l, NoDeferLeaky(0, false))
	m := aio.NewTask(l, NoDeferMiddle(0, false))
	// Both suspended in NoDeferLeaf's sleep when the loop closes.
	out.log("run until complete: %s", describe(l.RunUntilComplete(Echo(0, "", 500*time.Microsecond))))
	out.log("close: %s", describe(l.Close()))
	_, herr := h.Result()
	_, merr := m.Result()
	out.log("leaky: %v %s; middle: %v %s", h.Cancelled(), describe(herr), m.Cancelled(), describe(merr))
})
