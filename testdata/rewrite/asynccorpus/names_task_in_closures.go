package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The task used inside function literals of an async body, in the ways
// that do not suspend: its methods, aio.CreateTask, a helper that only
// reads it. Lowered, a literal refers to the task as the Step's parameter,
// the same task on every step, so a closure deferred, stored or returned
// sees the task the body runs in, as it does in direct mode.

// ClosureVictim sleeps until cancelled; a deferred closure logs the task's
// name and its cancellation as the body unwinds, in a later step than the
// one that deferred it.
//
//asyncgo:async
func ClosureVictim(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		rename := func(suffix string) { t.SetName(t.Name() + suffix) }
		defer func() {
			logf(t.Loop(), "%s: deferred in %s, cancelling %d, done %v", name, t.Name(), t.Cancelling(), t.Done())
		}()
		defer rename("/unwound") // a stored closure deferred: runs before the one above
		for i := 0; ; i++ {
			if err := aio.Sleep(t, time.Second); err != nil {
				logf(t.Loop(), "%s: %s at %d", name, describe(err), i)
				return i, err
			}
			rename("+")
			logf(t.Loop(), "%s: slept as %s", name, t.Name())
		}
	})
}

// ClosureDeferAfterCancel cancels a ClosureVictim task between its sleeps,
// then a task that awaits one inline, whose closures see that task.
//
//asyncgo:async
func ClosureDeferAfterCancel() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, ClosureVictim("v"), aio.Name("victim"))
		aio.Sleep(t, 2500*time.Millisecond)
		h.Cancel()
		n, err := aio.Await(t, h)
		logf(t.Loop(), "victim %d %s, named %s", n, describe(err), h.Name())
		// Awaited inline: the victim's closures use the awaiting task.
		t.SetName("main")
		outer := aio.CreateTask(t, ClosureInline(), aio.Name("outer"))
		aio.Sleep(t, 1500*time.Millisecond)
		outer.Cancel()
		_, err = aio.Await(t, outer)
		return t.Name() + " " + outer.Name() + " " + describe(err), nil
	})
}

// ClosureInline awaits a ClosureVictim inline.
//
//asyncgo:async
func ClosureInline() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return aio.Await(t, ClosureVictim("w"))
	})
}

var _ = register("names_task_in_closures_defer", func() { run(ClosureDeferAfterCancel()) })

// ClosureSelfCancel cancels its own task from a closure called between
// awaits: the next await delivers the cancellation, which it swallows.
//
//asyncgo:async
func ClosureSelfCancel() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		stop := func(why string) bool {
			logf(t.Loop(), "%s: cancelling itself (%s), done %v", t.Name(), why, t.Done())
			return t.Cancel()
		}
		uncancel := func() int { return t.Uncancel() }
		aio.Sleep(t, time.Second)
		ok := stop("first")
		err := aio.Sleep(t, time.Second)
		logf(t.Loop(), "after the first: %v %s cancelling %d", ok, describe(err), t.Cancelling())
		logf(t.Loop(), "uncancelled to %d", uncancel())
		if err := aio.Sleep(t, time.Second); err != nil {
			return "", err
		}
		stop("second")
		stop("again")
		_, err = aio.Await(t, Dozer(3))
		logf(t.Loop(), "after the second: %s cancelling %d", describe(err), t.Cancelling())
		for t.Cancelling() > 0 {
			uncancel()
		}
		aio.Sleep(t, time.Second)
		return "survived", nil
	})
}

// Dozer sleeps n seconds.
//
//asyncgo:async
func Dozer(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		err := aio.Sleep(t, time.Duration(n)*time.Second)
		return n, err
	})
}

var _ = register("names_task_in_closures_cancel", func() {
	run(ClosureSelfCancel())
	run(func() *aio.Coroutine[string] { // as a task of its own, cancelled from outside too
		return aio.Async(func(t *aio.Task) (string, error) {
			h := aio.CreateTask(t, ClosureSelfCancel(), aio.Name("self"))
			return aio.Await(t, h)
		})
	}())
})

// ClosureSpawner creates tasks in closures (one of them per iteration,
// capturing the loop's variable) and awaits them in the body.
//
//asyncgo:async
func ClosureSpawner() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		spawn := func(name string, n int) *aio.Handle[int] {
			logf(t.Loop(), "%s spawns %s", describeTask(t), name)
			return aio.CreateTask(t, Dozer(n), aio.Name(name))
		}
		var hs []*aio.Handle[int]
		for i := range 3 {
			mk := func() { hs = append(hs, spawn("s"+string(rune('a'+i)), 3-i)) }
			mk()
			aio.Sleep(t, 0)
		}
		later := func() *aio.Handle[int] { return aio.CreateTask(t, Dozer(1)) }
		total := 0
		for _, h := range hs {
			v, err := aio.Await(t, h)
			if err != nil {
				return 0, err
			}
			logf(t.Loop(), "%s -> %d", h.Name(), v)
			total += v
		}
		v, err := aio.Await(t, later())
		return total*10 + v, err
	})
}

var _ = register("names_task_in_closures_create", func() { run(ClosureSpawner()) })

// holder holds a closure.
type holder struct{ loop func() *aio.Loop }

// ClosureStored stores closures over the task in a variable, a slice and
// a struct, calls them after several awaits, and returns one that the
// caller calls after the body has returned.
//
//asyncgo:async
func ClosureStored(name string) *aio.Coroutine[func() string] {
	return aio.Async(func(t *aio.Task) (func() string, error) {
		report := func(stage string) {
			logf(t.Loop(), "%s: %s in %s, cancelling %d", name, stage, t.Name(), t.Cancelling())
		}
		h := holder{loop: func() *aio.Loop { return t.Loop() }}
		fs := []func() string{func() string {
			return fmt.Sprint("first ", t.Name(), " ", t.String() != "", t.Context() != nil, t.Done())
		}}
		report("start")
		for i := range 3 {
			aio.Sleep(t, time.Duration(i)*time.Second)
			n, _ := aio.Await(t, Dozer(i))
			fs = append(fs, func() string { return t.Name() + "@" + string(rune('0'+n)) })
		}
		report("after the awaits")
		for _, f := range fs {
			logf(h.loop(), "%s: %s", name, f())
		}
		return func() string { return name + " ran in " + t.Name() }, nil
	})
}

var _ = register("names_task_in_closures_stored", func() {
	run(func() *aio.Coroutine[string] {
		return aio.Async(func(t *aio.Task) (string, error) {
			t.SetName("caller")
			f, err := aio.Await(t, ClosureStored("inline"))
			if err != nil {
				return "", err
			}
			h := aio.CreateTask(t, ClosureStored("task"), aio.Name("stored"))
			g, err := aio.Await(t, h)
			if err != nil {
				return "", err
			}
			return f() + "; " + g(), nil
		})
	}())
})
