package main

import (
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// oneTwo yields 1 and 2 and logs how it finishes.
func oneTwo(t *trace) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("oneTwo done")
		for i := 1; i <= 2; i++ {
			if !yield(i) {
				t.log("oneTwo stopped at %d", i)
				return
			}
		}
	}
}

// ThrowJumps is thrown into inside a range-over-func loop whose body
// suspends in a short-circuit expression and leaves the loop with
// labelled continue, labelled break and return: the
// panic passes through the iterator, whose yield does not return false
// (found by FuzzLowering).
//
//asyncgo:generator
func ThrowJumps(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		x := 0
	loop:
		for w := range oneTwo(t) {
			x += w
			{
				ok := x%2 == 1 && (x > 4 || co.Yield(100+x) > 1)
				t.log("ok %v", ok)
			}
			co.Yield(w)
			if x%4 == 1 {
				continue loop
			}
			if x%5 == 2 {
				break loop
			}
			if x > 31 {
				return x
			}
		}
		return x
	})
}

var _ = register("loops/seq-throw-jumps", func(t *trace) { drive(t, ThrowJumps(t), []any{"n", "t", "n"}) })
var _ = register("loops/seq-throw-jumps-2", func(t *trace) { drive(t, ThrowJumps(t), []any{"n", 5, "t", "n"}) })
var _ = register("loops/seq-close-jumps", func(t *trace) { drive(t, ThrowJumps(t), []any{"n", "c", "n"}) })
var _ = register("loops/seq-jumps-run", func(t *trace) { all(t, ThrowJumps(t)) })
