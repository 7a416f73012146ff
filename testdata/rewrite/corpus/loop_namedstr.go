package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpNamedstr jumps out of range over a named string type across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpNamedstr(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			s := JumpText("a\u00f1b")
			for i, r := range s {
				visits++
				cmd := co.Yield(fmt.Sprint("round ", round, ": ", fmt.Sprintf("%d %q", i, r)))
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

// JumpText is a named string type.
type JumpText string

var _ = register("loops/namedstr-jumps", func(t *trace) { drive(t, JumpNamedstr(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/namedstr-return", func(t *trace) { drive(t, JumpNamedstr(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/namedstr-close", func(t *trace) { drive(t, JumpNamedstr(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/namedstr-throw", func(t *trace) { drive(t, JumpNamedstr(t, 3), []any{"n", 0, "t", "n"}) })
