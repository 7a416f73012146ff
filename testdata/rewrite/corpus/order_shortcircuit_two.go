package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ShortCircuitTwo has two suspensions in one || chain: at most one of
// them runs... or both, when the first gives false (Go spec, Logical
// operators: the right operand is evaluated conditionally).
//
//asyncgo:generator
func ShortCircuitTwo(xs []int) *coro.Generator[string, bool, int] {
	return coro.New(func(co *coro.Co[string, bool]) int {
		n := 0
		for _, x := range xs {
			if x == 3 || (x == 2 && co.Yield("two?")) || co.Yield(fmt.Sprint("other ", x, "?")) {
				n++
			}
		}
		return n
	})
}

var _ = register("order/short-circuit-two", func(t *trace) {
	drive(t, ShortCircuitTwo([]int{1, 2, 3, 2}), []any{"n", false, true, false, false, "n"})
})
