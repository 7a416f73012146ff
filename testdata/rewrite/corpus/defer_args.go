package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type deferFlag bool

func deferReport[T any](t *trace, what string, v T) { t.log("%s %v (%T)", what, v, v) }
func deferSet(t *trace, f deferFlag)                { t.log("deferFlag %v", f) }
func deferWide(t *trace, w int64)                   { t.log("wide %d", w) }
func deferFloat(t *trace, f float32)                { t.log("float %v", f) }

// DeferArgTypes defers calls whose arguments are untyped constants or
// expressions meeting typed parameters (a generic one, a named bool, an
// int64, a float32): the arguments are evaluated at the defer statement
// with the parameter's type.
//
//asyncgo:generator
func DeferArgTypes(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		n := co.Yield(0)
		defer deferReport(t, "generic", n)
		defer deferReport(t, "untyped", 1<<3)
		defer deferSet(t, n > 1)
		defer deferWide(t, 1<<n)
		defer deferFloat(t, 1.5)
		x := n
		defer deferReport(t, "x at defer", x)
		x = co.Yield(x)
		defer func(v int) { t.log("literal arg %d, x now %d", v, x) }(x * 2)
		s := []int{1, 2, 3}
		defer fmt.Sprint(s) // a deferred call whose result is dropped
		return x
	})
}

var _ = register("defers/arg-types", func(t *trace) { drive(t, DeferArgTypes(t), []any{"n", 40, 5, "n"}) })
var _ = register("defers/arg-types-close", func(t *trace) { drive(t, DeferArgTypes(t), []any{"n", 2, "c"}) })
