package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// swallowsPanic recovers the panic of the loop body and returns, or
// (again) calls yield after it: Go panics with a run-time error.
func swallowsPanic(t *trace, again bool) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer func() {
			r := recover()
			if s, ok := r.(string); ok {
				t.log("iterator recovered %s", s)
			} else {
				t.log("iterator recovered a %T", r)
			}
			if again {
				yield(99)
			}
		}()
		for i := range 3 {
			if !yield(i) {
				return
			}
		}
	}
}

// PanicInBadIterator panics (or is closed) in the body of a loop over an
// iterator that recovers the panic: the body's deferred recover sees Go's
// run-time error instead of the panic.
//
//asyncgo:generator
func PanicInBadIterator(t *trace, again bool) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) (res string) {
		defer func() {
			res = fmt.Sprint("recovered: ", recover())
		}()
		for v := range swallowsPanic(t, again) {
			co.Yield(fmt.Sprint("v ", v))
			if v == 1 {
				panic("body panic")
			}
		}
		return "after loop"
	})
}

var _ = register("baditer/recovers", func(t *trace) { all(t, PanicInBadIterator(t, false)) })
var _ = register("baditer/recovers-yields", func(t *trace) { all(t, PanicInBadIterator(t, true)) })
var _ = register("baditer/close", func(t *trace) { drive(t, PanicInBadIterator(t, false), []any{"n", "c"}) })
