package main

import (
	"errors"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RaiseShadowed calls co.Raise where locals named panic, coro, errors and
// recover shadow the names generated code might use.
//
//asyncgo:generator
func RaiseShadowed(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		err := errors.New("raised while shadowed")
		defer t.log("raise-shadowed defer")
		v := co.Yield(1)
		{
			panic := func(string) {}
			coro := v
			errors := "no package"
			recover := 3
			panic(errors)
			if coro+recover > 3 {
				co.Raise(err)
			}
		}
		return v
	})
}

var _ = register("names/raise-shadowed", func(t *trace) { drive(t, RaiseShadowed(t), []any{"n", 5, "n"}) })
var _ = register("names/raise-shadowed-not", func(t *trace) { drive(t, RaiseShadowed(t), []any{"n", 0, "n"}) })
