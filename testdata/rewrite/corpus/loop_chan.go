package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// JumpChan jumps out of range over a channel across a suspension: the value sent back
// picks continue (1), continue outer (2), break outer (3), break (4) or
// return (5); defers in the body record the order in which things end.
//
//asyncgo:generator
func JumpChan(t *trace, n int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("body done")
		visits := 0
	outer:
		for round := range 4 {
			for v := range jumpChanOf(n) {
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

// jumpChanOf returns a closed channel holding 0..n-1.
func jumpChanOf(n int) chan int {
	ch := make(chan int, n)
	for i := range n {
		ch <- i
	}
	close(ch)
	return ch
}

var _ = register("loops/chan-jumps", func(t *trace) { drive(t, JumpChan(t, 3), []any{"n", 0, 1, 4, 2, 0, 3, "n"}) })
var _ = register("loops/chan-return", func(t *trace) { drive(t, JumpChan(t, 3), []any{"n", 0, 0, 5, "n"}) })
var _ = register("loops/chan-close", func(t *trace) { drive(t, JumpChan(t, 3), []any{"n", 1, "c", "n"}) })
var _ = register("loops/chan-throw", func(t *trace) { drive(t, JumpChan(t, 3), []any{"n", 0, "t", "n"}) })
