package main

import (
	"math"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// MapNaN ranges over a map with NaN keys across a suspension: each NaN
// key is an entry of its own and is produced (Go spec, range over maps).
//
//asyncgo:generator
func MapNaN() *coro.Generator[float64, struct{}, int] {
	return coro.New(func(co *coro.Co[float64, struct{}]) int {
		m := map[float64]int{math.NaN(): 1, math.NaN(): 2}
		n := 0
		for _, v := range m {
			n += v
			co.Yield(0)
		}
		return n
	})
}

var _ = register("loops/map-nan", func(t *trace) { all(t, MapNaN()) })
