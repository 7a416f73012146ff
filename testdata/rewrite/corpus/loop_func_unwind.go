package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// unwindPairs yields (i, i*i) for i in 0..n-1 and logs how it finishes.
func unwindPairs(t *trace, n int) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		defer t.log("pairs done")
		for i := range n {
			if !yield(i, i*i) {
				t.log("pairs stopped at %d", i)
				return
			}
		}
	}
}

// UnwindSeq2 is thrown into or closed while suspended in a range over an
// iter.Seq2: the unwinding passes through the iterator, whose yield call
// does not return (no "stopped" line), and whose deferred calls run.
//
//asyncgo:generator
func UnwindSeq2(t *trace) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		defer t.log("body done")
		n := 0
		for i, sq := range unwindPairs(t, 3) {
			n += co.Yield(fmt.Sprint(i, sq))
		}
		return n
	})
}

// UnwindLit is the same with an unnamed iterator function literal.
//
//asyncgo:generator
func UnwindLit(t *trace) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		defer t.log("body done")
		n := 0
		for w := range func(yield func(string) bool) {
			defer t.log("literal done")
			for _, w := range []string{"x", "y"} {
				if !yield(w) {
					t.log("literal stopped at %s", w)
					return
				}
			}
		} {
			n += co.Yield(w)
		}
		return n
	})
}

var _ = register("loops/unwind-seq2-throw", func(t *trace) { drive(t, UnwindSeq2(t), []any{"n", 1, "t", "n"}) })
var _ = register("loops/unwind-seq2-close", func(t *trace) { drive(t, UnwindSeq2(t), []any{"n", "c", "n"}) })
var _ = register("loops/unwind-lit-throw", func(t *trace) { drive(t, UnwindLit(t), []any{"n", "t", "n"}) })
var _ = register("loops/unwind-lit-close", func(t *trace) { drive(t, UnwindLit(t), []any{"n", 2, "c", "n"}) })
var _ = register("loops/unwind-seq2-run", func(t *trace) { all(t, UnwindSeq2(t)) })
