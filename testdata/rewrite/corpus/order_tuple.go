package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

func tupleSplit(v int) (int, string) { return v / 2, fmt.Sprint("half of ", v) }

// TupleSuspend passes a suspension's value to a multi-valued call in a
// tuple assignment, and assigns a YieldErr's two results to existing
// variables, one of them an element of a slice.
//
//asyncgo:generator
func TupleSuspend() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		a, b := tupleSplit(co.Yield(1))
		out := []int{0, 0}
		var err error
		out[1], err = co.YieldErr(a)
		if err != nil {
			return "error " + b
		}
		return fmt.Sprint(a, b, out)
	})
}

var _ = register("order/tuple", func(t *trace) { drive(t, TupleSuspend(), []any{"n", 9, 4, "n"}) })
var _ = register("order/tuple-throw", func(t *trace) { drive(t, TupleSuspend(), []any{"n", 9, "t", "n"}) })
