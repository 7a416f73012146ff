package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpCond jumps out of a condition-only loop across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpCond(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			i := 0
			for i < n {
				i++
				visits++
				cmd := co.Yield(fmt.Sprint("round ", round, ": ", fmt.Sprint(i)))
				if cmd == 1 {
					continue
				}
				if cmd == 2 {
					continue outer
				}
				if cmd == 3 {
					break outer
				}
				if cmd == 4 {
					break
				}
				if cmd == 5 {
					return fmt.Sprint("returned after ", visits)
				}
				t.log("end of iteration %d", visits)
			}
			t.log("after inner loop, round %d", round)
		}
		return fmt.Sprint("visits ", visits)
	})
}

var _ = register("loops/cond-jumps", func(t *trace) { drive(t, JumpCond(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/cond-return", func(t *trace) { drive(t, JumpCond(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/cond-close", func(t *trace) { drive(t, JumpCond(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/cond-throw", func(t *trace) { drive(t, JumpCond(t, 3), []any{"n", 0, "t", "n"}) })
