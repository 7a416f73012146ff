package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// WhileYield is Python's `while (yield n):`: the loop's condition
// suspends, and so does its post statement; both are evaluated before
// each iteration (Go spec, For statements with for clause).
//
//asyncgo:generator
func WhileYield() *coro.Generator[int, bool, int] {
	return coro.New(func(co *coro.Co[int, bool]) int {
		n := 0
		for co.Yield(n) {
			n++
		}
		for i := 0; i < 3 && co.Yield(-i); i++ {
			n += 10
		}
		return n
	})
}

var _ = register("loops/cond-suspends", func(t *trace) { drive(t, WhileYield(), []any{"n", true, true, false, true, true, false, "n"}) })
