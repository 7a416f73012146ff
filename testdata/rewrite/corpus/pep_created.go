package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Created logs when its body starts and its defer runs: closing or
// throwing into a generator that has not started never runs the body
// (PEP 342), and the first Send must carry the zero value.
//
//asyncgo:generator
func Created(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		t.log("body started")
		defer t.log("body's defer")
		v := co.Yield(1)
		return v
	})
}

var _ = register("pep/close-created", func(t *trace) { drive(t, Created(t), []any{"c", "n", "c"}) })
var _ = register("pep/throw-created", func(t *trace) { drive(t, Created(t), []any{"t", "n"}) })
var _ = register("pep/send-created", func(t *trace) { drive(t, Created(t), []any{5, 0, 7, "n"}) })
var _ = register("pep/close-twice", func(t *trace) { drive(t, Created(t), []any{"n", "c", "c", "t"}) })
