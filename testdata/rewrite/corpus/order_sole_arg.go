package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// pairText formats YieldErr's two results.
func pairText(v int, err error) string { return fmt.Sprint(v, " ", err) }

// okOf reports whether YieldErr's error is nil.
func okOf(_ int, err error) bool { return err == nil }

// SoleArg passes a two-valued suspension as the only argument of a call
// (Go spec, Calls: g(f()) with a multi-valued f), in a statement, a
// condition and a loop condition.
//
//asyncgo:generator
func SoleArg(t *trace) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		s := pairText(co.YieldErr(1))
		t.log("first %s", s)
		if okOf(co.YieldErr(2)) {
			s += " ok"
		}
		n := 0
		for n < 3 && okOf(co.YieldErr(10+n)) {
			n++
		}
		return fmt.Sprint(s, " ", n)
	})
}

var _ = register("order/sole-arg", func(t *trace) { drive(t, SoleArg(t), []any{"n", 5, "t", 6, 7, "t", "n"}) })
var _ = register("order/sole-arg-all", func(t *trace) { drive(t, SoleArg(t), []any{"n", 1, 2, 3, 4, 5, "n"}) })
