package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// nestedSeq yields name0..name(n-1) and logs how it finishes.
func nestedSeq(t *trace, name string, n int) iter.Seq[string] {
	return func(yield func(string) bool) {
		defer t.log("%s done", name)
		for i := range n {
			if !yield(fmt.Sprint(name, i)) {
				t.log("%s stopped at %d", name, i)
				return
			}
		}
	}
}

// NestedFuncLoops nests range-over-func loops that suspend, jumping from
// the inner to the outer one (continue outer, break outer, return), with
// a select and a switch in between: the iterators stop innermost first.
//
//asyncgo:generator
func NestedFuncLoops(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		ch := make(chan int, 1)
	outer:
		for a := range nestedSeq(t, "a", 3) {
			for b := range nestedSeq(t, "b", 3) {
				switch co.Yield(a + "/" + b) {
				case 1:
					continue outer
				case 2:
					break outer
				case 3:
					return "returned"
				case 4:
					select {
					case ch <- 1:
						break
					default:
						continue outer
					}
				}
			}
		}
		return fmt.Sprint("done, channel holds ", len(ch))
	})
}

var _ = register("loops/nested-funcs", func(t *trace) { drive(t, NestedFuncLoops(t), []any{"n", 0, 1, 4, 4, 0, 2, "n"}) })
var _ = register("loops/nested-funcs-return", func(t *trace) { drive(t, NestedFuncLoops(t), []any{"n", 1, 3, "n"}) })
var _ = register("loops/nested-funcs-close", func(t *trace) { drive(t, NestedFuncLoops(t), []any{"n", 1, "c", "n"}) })
var _ = register("loops/nested-funcs-throw", func(t *trace) { drive(t, NestedFuncLoops(t), []any{"n", 0, "t", "n"}) })
