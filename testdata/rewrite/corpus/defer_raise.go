package main

import (
	"errors"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// DeferRaise defers co.Raise: when the body returns, the deferred call
// raises the error and the generator ends with it.
//
//asyncgo:generator
func DeferRaise(t *trace) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		err := errors.New("raised in defer")
		defer co.Raise(err)
		defer t.log("raising next")
		co.Yield(1)
		return 2
	})
}

var _ = register("defers/raise-in-defer", func(t *trace) { all(t, DeferRaise(t)) })
