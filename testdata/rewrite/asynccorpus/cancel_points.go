package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Cancellation delivered at each kind of resume point a lowered body has:
// Sleep(0), Sleep(d > 0), Await of a lowered coroutine (inline), of a
// direct coroutine, of a task handle and of a future. asyncio: cancel()
// makes the awaiting coroutine raise CancelledError at its await; what it
// awaited (a task, a future) is cancelled with it.

// Spinner yields with Sleep(0) until cancelled, counting its turns.
//
//asyncgo:async
func Spinner(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		turns := 0
		for {
			if err := aio.Sleep(t, 0); err != nil {
				logf(t.Loop(), "%s: cancelled after %d turns: %v", name, turns, err)
				return turns, fmt.Errorf("%s stopped: %w", name, err)
			}
			turns++
		}
	})
}

// Napper sleeps d, then returns d; cancelled, it says how long it slept.
//
//asyncgo:async
func Napper(name string, d time.Duration) *aio.Coroutine[time.Duration] {
	return aio.Async(func(t *aio.Task) (time.Duration, error) {
		start := t.Loop().Now()
		err := aio.Sleep(t, d)
		slept := t.Loop().Now().Sub(start)
		if err != nil {
			logf(t.Loop(), "%s: cancelled after %v of %v", name, slept, d)
			return slept, err
		}
		return slept, nil
	})
}

// CancelSleeps cancels a task at Sleep(0) and one at a long Sleep.
//
//asyncgo:async
func CancelSleeps() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		spin := aio.CreateTask(t, Spinner("spin"))
		nap := aio.CreateTask(t, Napper("nap", time.Minute))
		for range 3 {
			aio.Sleep(t, 0)
		}
		spin.Cancel()
		n, err := aio.Await(t, spin)
		logf(t.Loop(), "spin: %d %v cancelled=%v is=%v", n, err, spin.Cancelled(), errors.Is(err, aio.ErrCancelled))
		aio.Sleep(t, 1500*time.Millisecond)
		nap.Cancel()
		d, err := aio.Await(t, nap)
		logf(t.Loop(), "nap: %v %v cancelled=%v", d, err, nap.Cancelled())
		return "done", nil
	})
}

var _ = register("cancel_sleep_zero_and_long", func() { run(CancelSleeps()) })

// Swallower awaits a Napper inline and swallows its cancellation: the
// inline coroutine returns, the awaiter sees its value and an error it
// turns into a result; its task is still cancelling until it uncancels.
//
//asyncgo:async
func Swallower() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		d, err := aio.Await(t, Napper("inner", 10*time.Second))
		logf(t.Loop(), "swallower: %v %v cancelling=%d", d, err, t.Cancelling())
		if errors.Is(err, aio.ErrCancelled) {
			left := t.Uncancel()
			logf(t.Loop(), "uncancelled, %d left", left)
		}
		// Not cancelled any more: this sleep completes.
		if err := aio.Sleep(t, time.Second); err != nil {
			return "", err
		}
		return fmt.Sprint("slept ", d, " then 1s"), nil
	})
}

// CancelInline cancels a task whose body awaits a lowered coroutine.
//
//asyncgo:async
func CancelInline() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, Swallower())
		aio.Sleep(t, 3*time.Second)
		logf(t.Loop(), "cancel -> %v", h.Cancel())
		s, err := aio.Await(t, h)
		logf(t.Loop(), "swallower -> %q %v cancelled=%v", s, err, h.Cancelled())
		return s, err
	})
}

var _ = register("cancel_inline_swallowed", func() { run(CancelInline()) })

// DirectCatcher is a direct coroutine that sleeps and, cancelled, returns a
// value instead of the error.
func DirectCatcher(d time.Duration) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		if err := aio.Sleep(t, d); err != nil {
			return "caught " + err.Error(), nil
		}
		return "woke", nil
	})
}

// AwaitDirect awaits a direct coroutine that catches the cancellation:
// the awaiter gets its value (asyncio: the CancelledError was handled
// inside the awaited coroutine, so the await returns normally).
//
//asyncgo:async
func AwaitDirect() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s, err := aio.Await(t, DirectCatcher(time.Hour))
		logf(t.Loop(), "direct catcher: %q %v", s, err)
		s2, err := aio.Await(t, DirectCatcher(time.Second))
		logf(t.Loop(), "second: %q %v", s2, err)
		return s + "/" + s2, err
	})
}

// CancelDirect cancels a task awaiting a direct coroutine.
//
//asyncgo:async
func CancelDirect() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, AwaitDirect())
		aio.Sleep(t, time.Minute)
		h.Cancel()
		s, err := aio.Await(t, h)
		logf(t.Loop(), "-> %q %v cancelled=%v", s, err, h.Cancelled())
		return s, nil
	})
}

var _ = register("cancel_direct_swallowed", func() { run(CancelDirect()) })

// Finisher sleeps; cancelled, it sleeps a little more and returns a value.
//
//asyncgo:async
func Finisher(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, time.Hour); err != nil {
			logf(t.Loop(), "finisher: %v, finishing anyway", err)
			t.Uncancel()
			aio.Sleep(t, 2*time.Second)
			return v, nil
		}
		return 0, nil
	})
}

// TaskAwaiter awaits a task handle.
//
//asyncgo:async
func TaskAwaiter(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		h := aio.CreateTask(t, Finisher(v))
		n, err := aio.Await(t, h)
		logf(t.Loop(), "awaited task: %d %v (task cancelled=%v), cancelling=%d", n, err, h.Cancelled(), t.Cancelling())
		if err != nil {
			return -1, err
		}
		// The cancellation was consumed by the awaited task; this one
		// still counts it, so a later sleep is not cancelled.
		err = aio.Sleep(t, time.Second)
		return n * 2, err
	})
}

// CancelTaskThatFinishes cancels a task while it awaits a task that
// catches the cancellation and finishes with a value: asyncio cancels the
// awaited task and the await returns its result.
//
//asyncgo:async
func CancelTaskThatFinishes() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		h := aio.CreateTask(t, TaskAwaiter(21))
		aio.Sleep(t, 5*time.Second)
		h.Cancel()
		n, err := aio.Await(t, h)
		logf(t.Loop(), "-> %d %v cancelled=%v cancelling=%d", n, err, h.Cancelled(), h.Cancelling())
		return n, err
	})
}

var _ = register("cancel_task_that_finishes", func() { run(CancelTaskThatFinishes()) })

// FutureAwaiter awaits a future nobody sets.
//
//asyncgo:async
func FutureAwaiter(f *aio.Future[string]) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		defer logf(t.Loop(), "future awaiter deferred")
		s, err := aio.Await(t, f)
		if err != nil {
			return "", fmt.Errorf("waiting for the future: %w", err)
		}
		return s, nil
	})
}

// CancelFuture cancels a task awaiting a future (the future is cancelled
// too), then one whose future is set in the same turn as the
// cancellation: the future cannot be cancelled any more, so asyncio throws
// CancelledError in at the await (_must_cancel) and its result is lost.
//
//asyncgo:async
func CancelFuture() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		f := aio.NewFuture[string](l)
		h := aio.CreateTask(t, FutureAwaiter(f))
		aio.Sleep(t, time.Second)
		h.Cancel()
		s, err := aio.Await(t, h)
		logf(l, "first: %q %v; future cancelled=%v task cancelled=%v", s, err, f.Cancelled(), h.Cancelled())

		g := aio.NewFuture[string](l)
		h2 := aio.CreateTask(t, FutureAwaiter(g))
		aio.Sleep(t, time.Second)
		g.SetResult("set")
		h2.Cancel()
		s, err = aio.Await(t, h2)
		logf(l, "second: %q %v; task cancelled=%v", s, err, h2.Cancelled())
		return s, nil
	})
}

var _ = register("cancel_future", func() { run(CancelFuture()) })

// SelfCanceller cancels its own task: the cancellation is delivered at the
// next await that suspends, not at one that completes at once (an
// awaited future already done, a lowered coroutine that does not
// suspend).
//
//asyncgo:async
func SelfCanceller() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		done := aio.NewFuture[int](l)
		done.SetResult(5)
		logf(l, "cancel self: %v", t.Cancel())
		v, err := aio.Await(t, done)
		logf(l, "done future: %d %v", v, err)
		w, err := aio.Await(t, Quick(3))
		logf(l, "quick: %d %v", w, err)
		err = aio.Sleep(t, 0)
		logf(l, "sleep 0: %v cancelling=%d", err, t.Cancelling())
		t.Uncancel()
		err = aio.Sleep(t, 0)
		logf(l, "sleep 0 again: %v", err)
		return "ok", nil
	})
}

// Quick returns v without suspending.
//
//asyncgo:async
func Quick(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return v + 1, nil
	})
}

var _ = register("cancel_self", func() { run(SelfCanceller()) })
