package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// BodyBreaks has loops whose bodies end in break after a suspension, so
// their post statements and conditions are never reached again.
//
//asyncgo:generator
func BodyBreaks(xs []int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		n := 0
		for _, x := range xs {
			co.Yield(x)
			n++
			break
		}
		for i := 0; i < 3; i++ {
			co.Yield(i * 10)
			break
		}
		for range 5 {
			co.Yield(-1)
			return n
		}
		return n
	})
}

var _ = register("loops/body-breaks", func(t *trace) { all(t, BodyBreaks([]int{7, 8})) })
