package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// CallOrder checks the order of calls around a suspension: operands of
// the left side's index expressions are evaluated before the right side
// (Go spec, Assignment statements), arguments left to right, and a
// tuple assignment assigns after evaluating everything.
//
//asyncgo:generator
func CallOrder(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		note := func(s string, v int) int { t.log("eval %s", s); return v }
		a, b := 1, 2
		a, b = b, a+co.Yield("swap")
		t.log("a %d b %d", a, b)
		s := fmt.Sprint(co.Yield("first arg"), note("second arg", 2))
		m := map[int]int{}
		m[a] = co.Yield("map store")
		arr := []int{0, 0, 0}
		arr[a%3], a = co.Yield("index store"), 100
		return fmt.Sprint(s, m, arr, a, note("last", 0))
	})
}

var _ = register("order/calls", func(t *trace) { drive(t, CallOrder(t), []any{"n", 5, 6, 7, 8, "n"}) })
