package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RaiseNil raises a nil error after a suspension.
//
//asyncgo:generator
func RaiseNil() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		co.Yield(1)
		var err error
		co.Raise(err)
		return 2
	})
}

var _ = register("panics/raise-nil", func(t *trace) { all(t, RaiseNil()) })
