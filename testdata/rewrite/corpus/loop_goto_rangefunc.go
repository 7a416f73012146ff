package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// gotoSeq yields 0..n-1 and logs how it finishes.
func gotoSeq(t *trace, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("gotoSeq done")
		for i := range n {
			if !yield(i) {
				t.log("gotoSeq stopped at %d", i)
				return
			}
		}
	}
}

// GotoOut leaves a range-over-func loop with goto after a suspension:
// the iterator's yield returns false and it finishes before the jump.
//
//asyncgo:generator
func GotoOut(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		n := 0
		for v := range gotoSeq(t, 3) {
			if co.Yield(fmt.Sprint(v)) == 1 {
				goto out
			}
			n++
		}
		return fmt.Sprint("loop ended ", n)
	out:
		t.log("at out")
		return fmt.Sprint("jumped out ", n)
	})
}

var _ = register("loops/goto-out-of-range-func", func(t *trace) { drive(t, GotoOut(t), []any{"n", 0, 1, "n"}) })
var _ = register("loops/goto-range-func-ends", func(t *trace) { drive(t, GotoOut(t), []any{"n", 0, 0, 0, "n"}) })
