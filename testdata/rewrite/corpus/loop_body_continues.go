package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// BodyContinues has loop bodies ending in continue, labelled continue and
// an endless inner loop left by return, each after a suspension.
//
//asyncgo:generator
func BodyContinues() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		n := 0
		for i := range 3 {
			n += co.Yield(i)
			continue
		}
	outer:
		for i := 0; i < 2; i++ {
			for j := range 2 {
				n += co.Yield(10*i + j)
				continue outer
			}
		}
		for {
			if co.Yield(n) > 100 {
				return n
			}
			n++
		}
	})
}

var _ = register("loops/body-continues", func(t *trace) { drive(t, BodyContinues(), []any{"n", 1, 2, 3, 4, 5, 0, 0, 200, "n"}) })
