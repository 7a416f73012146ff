package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RuntimePanics triggers run-time panics chosen by the sent value, after
// a suspension: nil map write, index out of range, nil pointer, integer
// division by zero, closed channel send, conversion to a wrong interface.
//
//asyncgo:generator
func RuntimePanics(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("runtime panics done")
		var m map[string]int
		xs := []int{1, 2}
		var p *struct{ x int }
		ch := make(chan int, 1)
		close(ch)
		var v any = "s"
		for {
			switch co.Yield("which?") {
			case 0:
				return "none"
			case 1:
				m["x"] = 1
			case 2:
				i := 5
				_ = xs[i]
			case 3:
				p.x++
			case 4:
				z := 0
				fmt.Println(1 / z)
			case 5:
				ch <- 1
			case 6:
				_ = v.(fmt.Stringer)
			}
		}
	})
}

var _ = register("panics/runtime", func(t *trace) {
	for i := range 7 {
		drive(t, RuntimePanics(t), []any{"n", i, "n"})
	}
})
