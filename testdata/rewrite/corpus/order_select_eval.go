package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SelectEval evaluates the channel and value operands of every select
// case once, in source order, on entering the select (Go spec, Select
// statements), with a suspension before and inside the chosen case.
//
//asyncgo:generator
func SelectEval(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		note := func(s string, v int) int { t.log("eval %s", s); return v }
		a, b := make(chan int, 1), make(chan int, 1)
		pick := func(s string, c chan int) chan int { t.log("chan %s", s); return c }
		v := co.Yield("before")
		if v > 0 {
			b <- v
		}
		select {
		case pick("a", a) <- note("a value", 1):
			co.Yield("sent on a")
		case got := <-pick("b", b):
			co.Yield(fmt.Sprint("received ", got))
		}
		return fmt.Sprint(len(a), len(b))
	})
}

var _ = register("order/select-eval", func(t *trace) {
	drive(t, SelectEval(t), []any{"n", 0, 0, "n"})
})
