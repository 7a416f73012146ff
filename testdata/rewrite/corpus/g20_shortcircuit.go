package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ShortCircuit suspends on the right of && and ||: Go evaluates the right
// operand only when the left one does not decide, so the yield happens
// only then (the spec, "Logical operators").
//
//asyncgo:generator
func ShortCircuit(x int) *coro.Generator[string, bool, int] {
	return coro.New(func(co *coro.Co[string, bool]) int {
		n := 0
		if x > 0 && co.Yield("and") {
			n++
		}
		if x > 0 || co.Yield("or") {
			n += 10
		}
		b := x > 1 && (x > 2 || co.Yield("nested"))
		if b {
			n += 100
		}
		var c bool = !(x < 0 || !co.Yield("not"))
		switch x > 5 || co.Yield("tag") {
		case true:
			n += 1000
		}
		if c {
			n += 10000
		}
		return n
	})
}

// ParenYield suspends through parentheses: around the call, around co and
// through *co, all the same call (the spec, "Selectors": (*co).Yield is
// co.Yield).
//
//asyncgo:generator
func ParenYield() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		(co.Yield(1))
		a := (co).Yield(2)
		b := (*co).Yield(3)
		if (co.Yield(4)) > 0 {
			a += 100
		}
		return a*10 + b
	})
}

var _ = register("shortcircuit/neg", func(t *trace) {
	drive(t, ShortCircuit(-1), []any{"n", true, true, true, true, "n"})
})
var _ = register("shortcircuit/one", func(t *trace) {
	drive(t, ShortCircuit(1), []any{"n", false, true, true, true, "n"})
})
var _ = register("shortcircuit/three", func(t *trace) {
	drive(t, ShortCircuit(3), []any{"n", true, true, true, true, "n"})
})
var _ = register("shortcircuit/six", func(t *trace) {
	drive(t, ShortCircuit(6), []any{"n", true, true, true, true, "n"})
})
var _ = register("shortcircuit/paren", func(t *trace) {
	drive(t, ParenYield(), []any{"n", 5, 6, 7, 8, "n"})
	_ = fmt.Sprint()
})
