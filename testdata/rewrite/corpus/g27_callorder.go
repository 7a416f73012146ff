package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// CallsBefore calls functions, builtins and receives before a suspension in
// the same statement: Go evaluates calls and receives in lexical
// left-to-right order (the spec, "Order of evaluation"), and gc also
// evaluates len and string/slice conversions before a later call, so all
// of them come before the yield, with the values they had then.
//
//asyncgo:generator
func CallsBefore(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		xs := []int{1}
		grow := func() int {
			xs = append(xs, 0)
			t.log("grow to %d", len(xs))
			return len(xs)
		}
		a := len(xs) + grow() + co.Yield(fmt.Sprint("after grow ", len(xs)))
		ch := make(chan int, 2)
		ch <- 10
		ch <- 20
		b := <-ch + co.Yield("received") + <-ch
		s := "ab"
		c := fmt.Sprint(len([]rune(s)), grow()) + string([]byte(s)) + fmt.Sprint(co.Yield("args"))
		ok := grow() > 0 || co.Yield("never") > 0
		d := grow() > 9 && co.Yield("and") > 0
		return fmt.Sprint(a, " ", b, " ", c, " ", ok, " ", d, " ", len(xs))
	})
}

var _ = register("callorder/all", func(t *trace) { drive(t, CallsBefore(t), []any{"n", 100, 200, 300, "n"}) })
