package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Unevaluated ranges over *p with a nil p: the range has a constant
// length and one iteration variable, so *p is not evaluated and nothing
// panics (Go spec, For statements with range clause).
//
//asyncgo:generator
func Unevaluated(p *[3]int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		n := 0
		for i := range *p {
			co.Yield(i)
			n++
		}
		for i := range len(p) {
			co.Yield(i * 10)
		}
		return n + len(fmt.Sprint(p == nil))
	})
}

var _ = register("order/range-nil-array-pointer", func(t *trace) { all(t, Unevaluated(nil)) })
