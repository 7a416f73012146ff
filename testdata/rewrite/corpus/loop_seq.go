package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpSeq jumps out of range over an iter.Seq across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpSeq(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			for v := range countSeq(t, n) {
				visits++
				cmd := co.Yield(fmt.Sprint("round ", round, ": ", fmt.Sprint(v)))
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

// countSeq yields 0..n-1 and logs when it finishes, so the trace shows
// where the iterator ends relative to the loop's jumps.
func countSeq(t *trace, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("seq done")
		for i := range n {
			if !yield(i) {
				t.log("seq stopped at %d", i)
				return
			}
		}
	}
}

var _ = register("loops/seq-jumps", func(t *trace) { drive(t, JumpSeq(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/seq-return", func(t *trace) { drive(t, JumpSeq(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/seq-close", func(t *trace) { drive(t, JumpSeq(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/seq-throw", func(t *trace) { drive(t, JumpSeq(t, 3), []any{"n", 0, "t", "n"}) })
