package main

import (
	"errors"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Sleeper sleeps d seconds, n times, logging; cancellation arrives as
// ErrCancelled at the sleep, and its defers run.
//
//asyncgo:async
func Sleeper(name string, n int, d time.Duration, swallow bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "%s: deferred", name)
		done := 0
		for done < n {
			err := aio.Sleep(t, d*time.Second)
			if errors.Is(err, aio.ErrCancelled) {
				logf(l, "%s: cancelled at %d (cancelling %d)", name, done, t.Cancelling())
				if !swallow {
					return done, err
				}
				t.Uncancel()
				swallow = false
				continue
			}
			done++
			logf(l, "%s: slept %d", name, done)
		}
		return done, nil
	})
}

// Awaiter awaits a lowered coroutine inline: cancelling the task reaches
// the sleep inside it.
//
//asyncgo:async
func Awaiter(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "%s: awaiter deferred", name)
		n, err := aio.Await(t, Sleeper(name+"/inner", 5, 1, false))
		logf(t.Loop(), "%s: inner returned %d %v", name, n, err)
		if err != nil {
			return n, err
		}
		return n + 100, nil
	})
}

// Canceller starts tasks and cancels them at different points.
//
//asyncgo:async
func Canceller() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		a := aio.CreateTask(t, Sleeper("a", 5, 1, false))
		b := aio.CreateTask(t, Sleeper("b", 5, 1, true))
		c := aio.CreateTask(t, Awaiter("c"))
		z := aio.CreateTask(t, Sleeper("z", 0, 0, false))
		z.Cancel() // before it starts: its body never runs
		if err := aio.Sleep(t, 2500*time.Millisecond); err != nil {
			return "", err
		}
		a.Cancel()
		b.Cancel()
		c.Cancel()
		ra, ea := aio.Await(t, a)
		rb, eb := aio.Await(t, b)
		rc, ec := aio.Await(t, c)
		rz, ez := aio.Await(t, z)
		logf(t.Loop(), "a %d %v; b %d %v; c %d %v; z %d %v", ra, ea, rb, eb, rc, ec, rz, ez)
		// Sleep(0) cancelled.
		y := aio.CreateTask(t, Sleeper("y", 3, 0, false))
		aio.Sleep(t, 0)
		y.Cancel()
		ry, ey := aio.Await(t, y)
		logf(t.Loop(), "y %d %v", ry, ey)
		return "ok", nil
	})
}

var _ = register("cancel_at_await", func() { run(Canceller()) })

// Forever sleeps until cancelled.
//
//asyncgo:async
func Forever(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "%s: deferred", name)
		for i := 0; ; i++ {
			if err := aio.Sleep(t, time.Hour); err != nil {
				logf(t.Loop(), "%s: %v", name, err)
				return i, err
			}
		}
	})
}

// Leaver returns while a task still sleeps: Run cancels it.
//
//asyncgo:async
func Leaver() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.CreateTask(t, Forever("left"))
		err := aio.Sleep(t, time.Minute)
		return 1, err
	})
}

var _ = register("cancel_left_by_run", func() { run(Leaver()) })
