package main

import (
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// loggedSeq yields 0..n-1 and logs how it ends.
func loggedSeq(t *trace, name string, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("iterator %s finished", name)
		for i := range n {
			if !yield(i) {
				t.log("iterator %s told to stop at %d", name, i)
				return
			}
		}
	}
}

// FuncLoopExits leaves a range-over-func loop that suspends by continue
// and break of an outer loop, by return and by goto, from the loop and from
// a loop nested in it: the iterator's yield returns false and it finishes in
// place, before the deferred calls of the loop body run (the spec, "For
// statements with range clause").
//
//asyncgo:generator
func FuncLoopExits(t *trace, mode int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body defer")
	outer:
		for i := range 3 {
			for v := range loggedSeq(t, fmt.Sprint("s", i), 4) {
				defer t.log("loop defer %d %d", i, v)
				co.Yield(fmt.Sprint(i, v))
				switch {
				case mode == 0 && v == 1:
					continue outer
				case mode == 1 && v == 2:
					break outer
				case mode == 2 && v == 1 && i == 1:
					return "returned"
				}
				for w := range 2 {
					if mode == 3 && w == 1 && v == 1 {
						continue outer
					}
					if mode == 4 && w == 1 && v == 2 {
						return "inner returned"
					}
					if mode == 5 && w == 1 && v == 2 && i == 1 {
						break outer
					}
					if mode == 6 && w == 1 && v == 1 && i == 1 {
						goto done
					}
				}
				if mode == 7 && v == 2 {
					goto done
				}
			}
			t.log("after inner %d", i)
		}
		t.log("after outer")
	done:
		return "end"
	})
}

func init() {
	for mode := 0; mode <= 7; mode++ {
		register(fmt.Sprint("rangefunc-exits/", mode), func(t *trace) { all(t, FuncLoopExits(t, mode)) })
	}
}
