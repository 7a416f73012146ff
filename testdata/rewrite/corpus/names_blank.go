package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

func blankPair(i int) (int, string) { return i * 2, fmt.Sprint("s", i) }

// BlankIdents puts the blank identifier wherever the spec allows it on the
// left: short variable declarations, assignments, range clauses, YieldErr
// results, select receives and function parameters.
//
//asyncgo:generator
func BlankIdents(ch chan int) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		v, _ := blankPair(1)
		_, s := blankPair(2)
		_ = co.Yield(fmt.Sprint(v, s))
		total := 0
		for _, x := range []int{5, 6} {
			total += x + co.Yield("x")
		}
		for i, _ := range []string{"a", "b"} {
			total += i
			co.Yield(fmt.Sprint("i ", i))
		}
		if _, err := co.YieldErr("may throw"); err != nil {
			total += 1000
			co.Yield(fmt.Sprint("caught ", errors.Is(err, errBoom)))
		}
		select {
		case _, ok := <-ch:
			total += 100
			co.Yield(fmt.Sprint("received ", ok))
		default:
			co.Yield("nothing")
		}
		var _ = co.Yield("var blank")
		f := func(_ int, b int) int { return b }
		return total + f(0, 1)
	})
}

var _ = register("names/blank", func(t *trace) {
	ch := make(chan int, 1)
	ch <- 3
	drive(t, BlankIdents(ch), []any{"n", 0, 1, 2, 3, 4, 5, 6, 7, 8, "n"})
})
var _ = register("names/blank-throw", func(t *trace) {
	drive(t, BlankIdents(make(chan int)), []any{"n", 0, 1, 2, 3, 4, "t", 6, 7, 8, 9, "n"})
})
