package main

import (
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// upTo yields 1..n and logs how it finishes.
func upTo(t *trace, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("upTo done")
		for i := 1; i <= n; i++ {
			if !yield(i) {
				t.log("upTo stopped at %d", i)
				return
			}
		}
	}
}

// ThrowInCond is thrown into while suspended in an && condition inside a
// range-over-func loop: the panic passes through the iterator (its yield
// does not return false), whose deferred call runs.
//
//asyncgo:generator
func ThrowInCond(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		x := 0
		for w := range upTo(t, 3) {
			x += w
			if x%3 == 0 && co.Yield(x) > 2 {
				x++
			}
			co.Yield(-w)
		}
		return x
	})
}

// ThrowInNested is thrown into at a suspension nested in || inside &&
// in a short variable declaration.
//
//asyncgo:generator
func ThrowInNested(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		x := 0
		for w := range upTo(t, 3) {
			x += w
			ok := x%2 == 1 && (x > 4 || co.Yield(x) > 1)
			t.log("ok %v", ok)
		}
		return x
	})
}

// ThrowInBody is the same with the suspension as a statement.
//
//asyncgo:generator
func ThrowInBody(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		x := 0
		for w := range upTo(t, 3) {
			x += w
			co.Yield(x)
		}
		return x
	})
}

var _ = register("loops/seq-throw-in-cond", func(t *trace) { drive(t, ThrowInCond(t), []any{"n", 0, "t", "n"}) })
var _ = register("loops/seq-close-in-cond", func(t *trace) { drive(t, ThrowInCond(t), []any{"n", 0, "c", "n"}) })
var _ = register("loops/seq-throw-in-nested", func(t *trace) { drive(t, ThrowInNested(t), []any{"n", "t", "n"}) })
var _ = register("loops/seq-close-in-nested", func(t *trace) { drive(t, ThrowInNested(t), []any{"n", "c", "n"}) })
var _ = register("loops/seq-throw-in-body", func(t *trace) { drive(t, ThrowInBody(t), []any{"n", 0, "t", "n"}) })
