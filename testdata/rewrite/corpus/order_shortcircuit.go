package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// AndOrSuspend suspends on the right of && and ||: the right operand is
// evaluated (and the generator suspends) only when the left one does not
// decide (Go spec, Logical operators).
//
//asyncgo:generator
func AndOrSuspend(t *trace, xs []int) *coro.Generator[string, bool, int] {
	return coro.New(func(co *coro.Co[string, bool]) int {
		n := 0
		for _, x := range xs {
			if x > 0 && co.Yield(fmt.Sprint("positive ", x, "?")) {
				n++
			}
			if x%2 == 0 || co.Yield(fmt.Sprint("odd ", x, "?")) {
				n += 10
			}
			ok := x > 1 && x < 4 && co.Yield(fmt.Sprint("mid ", x, "?"))
			t.log("ok %v", ok)
			done := x == 3 || (x == 2 && co.Yield("two?"))
			t.log("done %v", done)
		}
		return n
	})
}

var _ = register("order/short-circuit", func(t *trace) {
	drive(t, AndOrSuspend(t, []int{-1, 0, 1, 2, 3}), []any{"n", true, false, true, true, false, true, false, true, true, true, false, true, "n"})
})
