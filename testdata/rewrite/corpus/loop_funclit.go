package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpFunclit jumps out of range over an unnamed func iterator across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpFunclit(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			for v := range func(yield func(string) bool) {
				defer t.log("literal iterator done")
				for _, w := range []string{"x", "y", "z"} {
					if !yield(w) {
						t.log("literal iterator stopped at %s", w)
						return
					}
				}
			} {
				visits++
				cmd := co.Yield(fmt.Sprint("round ", round, ": ", v))
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

var _ = register("loops/funclit-jumps", func(t *trace) { drive(t, JumpFunclit(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/funclit-return", func(t *trace) { drive(t, JumpFunclit(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/funclit-close", func(t *trace) { drive(t, JumpFunclit(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/funclit-throw", func(t *trace) { drive(t, JumpFunclit(t, 3), []any{"n", 0, "t", "n"}) })
