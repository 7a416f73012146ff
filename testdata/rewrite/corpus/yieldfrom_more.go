package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// directSub is a generator that is not annotated: it runs direct in both
// builds.
func directSub(t *trace, n int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer t.log("directSub done")
		sum := 0
		for i := range n {
			v, err := co.YieldErr(i)
			if err != nil {
				t.log("directSub caught %v", err)
				return "caught"
			}
			sum += v
		}
		return fmt.Sprint("sum ", sum)
	})
}

// Delegator delegates to a direct-mode sub-generator in a loop (PEP 380:
// values, sends and throws pass through; the sub-generator's return value
// is the expression's value), and stops early depending on the result.
//
//asyncgo:generator
func Delegator(t *trace) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer t.log("delegator done")
		var results []string
		for round := range 3 {
			r, err := coro.YieldFromErr(co, directSub(t, round+1))
			if err != nil {
				results = append(results, "err "+err.Error())
				continue
			}
			results = append(results, r)
			if r == "caught" {
				break
			}
		}
		return fmt.Sprint(results)
	})
}

var _ = register("yieldfrom/direct-sub", func(t *trace) { drive(t, Delegator(t), []any{"n", 1, 2, 3, 4, 5, 6, "n"}) })
var _ = register("yieldfrom/direct-sub-throw", func(t *trace) { drive(t, Delegator(t), []any{"n", 1, "t", "n", "n"}) })
var _ = register("yieldfrom/direct-sub-close", func(t *trace) { drive(t, Delegator(t), []any{"n", 1, 2, "c", "n"}) })
var _ = register("yieldfrom/direct-sub-error", func(t *trace) {
	g := Delegator(t)
	drive(t, g, []any{"n", 7, 8, "t"})
	t.log("is boom: %v", errors.Is(g.Err(), errBoom))
})
