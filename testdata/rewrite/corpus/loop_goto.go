package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// GotoLoop loops with goto across a suspension and jumps forward out of
// a nested loop with goto (Go spec, Goto statements).
//
//asyncgo:generator
func GotoLoop(n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		i := 0
	again:
		if i < n {
			if co.Yield(fmt.Sprint("goto loop ", i)) < 0 {
				goto out
			}
			i++
			goto again
		}
		for j := range 3 {
			for k := range 3 {
				if co.Yield(fmt.Sprint(j, k)) == 9 {
					goto out
				}
			}
		}
	out:
		return fmt.Sprint("i ", i)
	})
}

var _ = register("loops/goto", func(t *trace) { drive(t, GotoLoop(2), []any{"n", 0, 0, 0, 9, "n"}) })
var _ = register("loops/goto-out", func(t *trace) { drive(t, GotoLoop(3), []any{"n", 0, -1, "n"}) })
