package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Shadowing redeclares a parameter and outer variables in inner scopes
// across suspensions; each scope's variable keeps its own value.
//
//asyncgo:generator
func Shadowing(x int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		y := x * 10
		if x := co.Yield(fmt.Sprint("x ", x)); x > 0 {
			y := y + x
			co.Yield(fmt.Sprint("inner x ", x, " y ", y))
		} else {
			x := x - 1
			co.Yield(fmt.Sprint("else x ", x))
		}
		for x := 0; x < 2; x++ {
			x := x * 100
			co.Yield(fmt.Sprint("loop x ", x))
		}
		switch x := co.Yield("switch"); {
		case x > 5:
			y := "big"
			co.Yield(y)
		default:
			x := x + 1
			co.Yield(fmt.Sprint("small ", x))
		}
		x := x + 1 // a new x in the literal's block, shadowing the parameter
		_ = x
		{
			y := "block"
			co.Yield(y)
		}
		return fmt.Sprint("x ", x, " y ", y)
	})
}

var _ = register("names/shadow", func(t *trace) { drive(t, Shadowing(1), []any{"n", 7, 0, 0, 9, 0, 0, "n"}) })
var _ = register("names/shadow-else", func(t *trace) { drive(t, Shadowing(2), []any{"n", 0, 0, 0, 0, 0, 0, "n"}) })
