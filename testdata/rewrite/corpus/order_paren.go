package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Parenthesised writes suspensions in parentheses, as statements and as
// operands, and calls Yield through (co) and (*co).
//
//asyncgo:generator
func Parenthesised() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		(co.Yield(1))
		v := (co.Yield(2))
		w := (co.Yield(3)) + 1
		x := (co).Yield(4)
		y := (*co).Yield(5)
		return fmt.Sprint(v, w, x, y)
	})
}

var _ = register("order/paren", func(t *trace) { drive(t, Parenthesised(), []any{"n", 10, 20, 30, 40, 50, "n"}) })
