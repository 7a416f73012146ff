package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// CaseSuspends suspends in switch case expressions: they are evaluated
// top to bottom, left to right, until one matches (Go spec, Expression
// switches), so later cases do not suspend.
//
//asyncgo:generator
func CaseSuspends(x int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		switch x {
		case 0:
			return "zero"
		case co.Yield("first case?"):
			return "first"
		case co.Yield("second case?"), co.Yield("third case?"):
			return "second or third"
		}
		return "none"
	})
}

var _ = register("switch/case-suspends", func(t *trace) {
	drive(t, CaseSuspends(0), []any{"n"})
	drive(t, CaseSuspends(5), []any{"n", 5, "n"})
	drive(t, CaseSuspends(5), []any{"n", 1, 2, 5, "n"})
	drive(t, CaseSuspends(5), []any{"n", 1, 2, 3, "n"})
})
