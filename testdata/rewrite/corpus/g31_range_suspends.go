package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RangeOverYield ranges over what it is sent: the range expression
// suspends, once, before the loop (the spec: it is evaluated once).
//
//asyncgo:generator
func RangeOverYield() *coro.Generator[string, []int, int] {
	return coro.New(func(co *coro.Co[string, []int]) int {
		n := 0
		for i, v := range co.Yield("give me a slice") {
			n += i * v
			co.Yield(fmt.Sprint(i, " ", v))
		}
		for range len(co.Yield("count")) {
			n++
		}
		return n
	})
}

var _ = register("range/over-yield", func(t *trace) {
	drive(t, RangeOverYield(), []any{"n", []int{5, 6}, []int{1}, []int{1}, []int{1, 2, 3}, "n"})
})
