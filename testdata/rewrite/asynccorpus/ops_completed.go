package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Range loops over AsCompleted in lowered bodies: the iteration suspends
// until the next future is done, the loop body awaits too; break, return,
// a panic and a cancellation while the loop waits for the next future or
// inside its body end the iteration.

// opsCompleted takes the tasks as they complete, sleeping 1 ms in the
// loop body; it stops after stop items (0: all), or panics at a failed
// one if panicky.
//
//asyncgo:async
func opsCompleted(name string, hs []*aio.Handle[int], stop int, panicky bool) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		defer logf(l, "%s: deferred", name)
		got := ""
		n := 0
	loop:
		for h, err := range aio.AsCompleted(t, hs) {
			if err != nil {
				logf(l, "%s: iteration %v", name, err)
				return got, err
			}
			v, herr := h.Result()
			logf(l, "%s: %s -> %d %v", name, h.Name(), v, herr)
			if herr != nil && panicky {
				panic(fmt.Sprint(name, " at ", h.Name()))
			}
			for range 2 {
				if herr != nil && stop == 0 {
					continue loop // a failed one is skipped, without the sleep
				}
			}
			got += h.Name() + " "
			if err := aio.Sleep(t, time.Millisecond); err != nil {
				logf(l, "%s: body %v", name, err)
				return got, err
			}
			n++
			if n == stop {
				break
			}
		}
		logf(l, "%s: after the loop, %d items", name, n)
		return got, nil
	})
}

// opsFirstOf returns the name of the first task to complete, from inside
// the loop.
//
//asyncgo:async
func opsFirstOf(hs []*aio.Handle[int]) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		for h, err := range aio.AsCompleted(t, hs) {
			return h.Name(), err
		}
		return "none", nil
	})
}

// opsCompletedMain runs the loops.
//
//asyncgo:async
func opsCompletedMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		jobs := func(prefix string) []*aio.Handle[int] {
			var hs []*aio.Handle[int]
			for i, d := range []int{30, 10, 20, 10} {
				hs = append(hs, aio.NewTask(l, opsJob(fmt.Sprint(prefix, i), d, i == 2), aio.Name(fmt.Sprint(prefix, i))))
			}
			return append(hs, hs[0]) // given twice: yielded once
		}
		s, err := aio.Await(t, opsCompleted("all", jobs("a"), 0, false))
		logf(l, "all: %q %v", s, err)
		s, err = aio.Await(t, opsCompleted("two", jobs("b"), 2, false))
		logf(l, "two: %q %v", s, err)
		s, err = aio.Await(t, opsFirstOf(jobs("c")))
		logf(l, "first: %q %v", s, err)
		s, err = aio.Await(t, opsFirstOf(nil))
		logf(l, "first of none: %q %v", s, err)
		s, err = aio.Await(t, aio.CreateTask(t, opsCompleted("panicky", jobs("d"), 0, true)))
		logf(l, "panicky: %q %s", s, describe(err))
		aio.Sleep(t, 40*time.Millisecond)

		waiting := aio.CreateTask(t, opsCompleted("waiting", jobs("e"), 0, false))
		aio.Sleep(t, 15*time.Millisecond) // e1, e3 taken at 10ms; waits for e2
		waiting.Cancel()
		s, err = aio.Await(t, waiting)
		logf(l, "cancelled waiting: %q %v", s, err)
		inBody := aio.CreateTask(t, opsCompleted("in body", jobs("f"), 0, false))
		aio.Sleep(t, 10500*time.Microsecond) // f1 taken, its body sleeping
		inBody.Cancel()
		s, err = aio.Await(t, inBody)
		logf(l, "cancelled in the body: %q %v", s, err)
		aio.Sleep(t, 40*time.Millisecond)
		return "ok", nil
	})
}

var _ = register("ops_as_completed", func() { run(opsCompletedMain()) })
