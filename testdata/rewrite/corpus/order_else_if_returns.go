package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ElseIfChain suspends in else-if conditions: each condition is evaluated
// only when the previous ones were false.
//
//asyncgo:generator
func ElseIfChain(t *trace, x int) *coro.Generator[string, bool, string] {
	return coro.New(func(co *coro.Co[string, bool]) string {
		if x > 10 {
			return "big"
		} else if co.Yield("medium?") {
			return "medium"
		} else if y := x * 2; co.Yield(fmt.Sprint("small? ", y)) {
			return fmt.Sprint("small ", y)
		} else {
			return "none"
		}
	})
}

var _ = register("order/else-if", func(t *trace) {
	drive(t, ElseIfChain(t, 20), []any{"n"})
	drive(t, ElseIfChain(t, 1), []any{"n", true})
	drive(t, ElseIfChain(t, 2), []any{"n", false, true})
	drive(t, ElseIfChain(t, 3), []any{"n", false, false})
})
