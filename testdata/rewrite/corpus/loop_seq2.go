package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpSeq2 jumps out of range over an iter.Seq2 across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpSeq2(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			for i, v := range pairSeq(t, n) {
				visits++
				cmd := co.Yield(fmt.Sprint("round ", round, ": ", fmt.Sprint(i, v)))
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

// pairSeq yields (i, i*i) for i in 0..n-1 and logs when it finishes.
func pairSeq(t *trace, n int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer t.log("seq2 done")
		for i := range n {
			if !yield(i, i*i) {
				t.log("seq2 stopped at %d", i)
				return
			}
		}
	}
}

var _ = register("loops/seq2-jumps", func(t *trace) { drive(t, JumpSeq2(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/seq2-return", func(t *trace) { drive(t, JumpSeq2(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/seq2-close", func(t *trace) { drive(t, JumpSeq2(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/seq2-throw", func(t *trace) { drive(t, JumpSeq2(t, 3), []any{"n", 0, "t", "n"}) })
