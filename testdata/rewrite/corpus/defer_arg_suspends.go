package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// DeferArgSuspends suspends in the argument of a deferred call: the
// argument is evaluated (the generator suspends) at the defer statement,
// the call runs when the body ends.
//
//asyncgo:generator
func DeferArgSuspends(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		defer t.log("deferred with %d", co.Yield(1))
		t.log("after the defer statement")
		return co.Yield(2)
	})
}

var _ = register("defers/arg-suspends", func(t *trace) { drive(t, DeferArgSuspends(t), []any{"n", 10, 20, "n"}) })
