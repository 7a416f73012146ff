package main

import "github.com/asyncgo/asyncgo/runtime/coro"

// AssertBefore has a type assertion before a suspension in the same
// expression: gc evaluates the assertion first, so with a string in box
// it panics before yielding.
//
//asyncgo:generator
func AssertBefore(box any) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		return box.(int) + co.Yield(0)
	})
}

var _ = register("order/assert-panics", func(t *trace) { drive(t, AssertBefore("str"), []any{"n", 1, "n"}) })
var _ = register("order/assert-ok", func(t *trace) { drive(t, AssertBefore(40), []any{"n", 2, "n"}) })
