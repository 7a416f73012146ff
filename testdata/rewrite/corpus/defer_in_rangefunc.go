package main

import (
	"fmt"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// DeferInRangeFunc defers inside a range-over-func loop body: the deferred
// calls belong to the generator's function and run when it ends, after
// the iterator finished; one of them recovers a panic raised in the loop
// body, which passed through the iterator.
//
//asyncgo:generator
func DeferInRangeFunc(t *trace, panicAt string) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) (res string) {
		defer func() {
			if r := recover(); r != nil {
				if s, ok := r.(string); ok {
					res = "recovered " + s
				} else {
					res = fmt.Sprintf("recovered a %T", r) // close's unwinding
				}
			}
		}()
		for _, w := range slices.All([]string{"a", "b", "c"}) {
			defer t.log("deferred in the loop at %s", w)
			co.Yield(w)
			if w == panicAt {
				panic("panic at " + w)
			}
		}
		return "finished"
	})
}

var _ = register("defers/in-range-func", func(t *trace) { all(t, DeferInRangeFunc(t, "")) })
var _ = register("defers/in-range-func-panic", func(t *trace) { all(t, DeferInRangeFunc(t, "b")) })
var _ = register("defers/in-range-func-close", func(t *trace) { drive(t, DeferInRangeFunc(t, ""), []any{"n", "n", "c"}) })
