package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Sub yields what it is sent until it is sent a negative number.
//
//asyncgo:generator
func Sub(t *trace, name string) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer t.log("sub %s unwinds", name)
		sum := 0
		for {
			v, err := co.YieldErr(sum)
			if err != nil {
				t.log("sub %s caught %v", name, err)
				if sum > 100 {
					return "sub gave up"
				}
				sum += 100
				continue
			}
			if v < 0 {
				return fmt.Sprint(name, " total ", sum)
			}
			sum += v
		}
	})
}

// Grouper delegates to one Sub per group (the seeds' averager/grouper).
//
//asyncgo:generator
func Grouper(t *trace, groups int) *coro.Generator[int, int, []string] {
	return coro.New(func(co *coro.Co[int, int]) []string {
		var results []string
		for i := range groups {
			r := coro.YieldFrom(co, Sub(t, fmt.Sprint("g", i)))
			results = append(results, r)
		}
		return results
	})
}

// GrouperErr delegates with YieldFromErr and handles sub's failure.
//
//asyncgo:generator
func GrouperErr(t *trace) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		r, err := coro.YieldFromErr(co, Sub(t, "e"))
		if err != nil {
			co.Yield(-1)
			return "failed: " + err.Error()
		}
		return r
	})
}

// DirectSub is a generator that is not lowered.
func DirectSub() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		co.Yield(1)
		co.Yield(2)
		return "direct"
	})
}

// Mixed delegates to a direct-mode generator from a lowered one.
//
//asyncgo:generator
func Mixed() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		a := coro.YieldFrom(co, DirectSub())
		b := coro.YieldFrom(co, Empty())
		coro.YieldFrom(co, DirectSub())
		return a + b
	})
}

// Empty returns without yielding.
//
//asyncgo:generator
func Empty() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		return "-empty"
	})
}

var _ = register("yieldfrom/grouper", func(t *trace) {
	drive(t, Grouper(t, 2), []any{"n", 1, 2, -1, 3, -1, "n"})
})
var _ = register("yieldfrom/throw", func(t *trace) { drive(t, Grouper(t, 2), []any{"n", 1, "t", "t", 5, -1, "n"}) })
var _ = register("yieldfrom/close", func(t *trace) { drive(t, Grouper(t, 2), []any{"n", 1, "c", "n"}) })
var _ = register("yieldfrom/err", func(t *trace) { drive(t, GrouperErr(t), []any{"n", 1, "t", "t", "n", "n"}) })
var _ = register("yieldfrom/err-ok", func(t *trace) { drive(t, GrouperErr(t), []any{"n", 4, -1}) })
var _ = register("yieldfrom/mixed", func(t *trace) { all(t, Mixed()) })
var _ = register("yieldfrom/empty", func(t *trace) { all(t, Empty()) })
