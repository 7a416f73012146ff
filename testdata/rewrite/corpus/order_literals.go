package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type litPoint struct{ X, Y int }

// Literals suspends inside composite literals and conversions, with
// calls before and after the suspension in the same literal: calls run in
// source order around it.
//
//asyncgo:generator
func Literals(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		f := func(s string, v int) int { t.log("call %s", s); return v }
		xs := []int{f("first", 1), co.Yield("slice"), f("last", 3)}
		p := litPoint{X: co.Yield("struct"), Y: f("y", 2)}
		m := map[string]int{"k": co.Yield("map")}
		r := string(rune(co.Yield("rune")))
		arr := [2]litPoint{{1, 1}, {co.Yield("nested"), 0}}
		return fmt.Sprint(xs, p, m, r, arr)
	})
}

var _ = register("order/literals", func(t *trace) { drive(t, Literals(t), []any{"n", 20, 10, 30, 65, 7, "n"}) })
