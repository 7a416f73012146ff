package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type lhsNode struct{ v int }

// LeftHandSides assigns a suspension's value through index expressions,
// op-assignments, pointer indirections and fields: the left side's
// operands are evaluated first, the assignment (and its run-time checks)
// after the right side (Go spec, Assignment statements).
//
//asyncgo:generator
func LeftHandSides(t *trace, which int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		key := func(k string) string { t.log("key %s", k); return k }
		m := map[string]int{"a": 1}
		m[key("a")] += co.Yield("op-assign")
		xs := []int{0, 0}
		xs[len(xs)-1] = co.Yield("index")
		switch which {
		case 1:
			var p *int
			*p = co.Yield("nil pointer")
		case 2:
			var n *lhsNode
			n.v = co.Yield("nil field")
		case 3:
			i := 5
			xs[i] = co.Yield("out of range")
		case 4:
			var nilMap map[string]int
			nilMap[key("b")] = co.Yield("nil map")
		}
		return fmt.Sprint(m, xs)
	})
}

var _ = register("order/lhs", func(t *trace) { drive(t, LeftHandSides(t, 0), []any{"n", 2, 3, "n"}) })
var _ = register("order/lhs-nil-pointer", func(t *trace) { drive(t, LeftHandSides(t, 1), []any{"n", 2, 3, 4, "n"}) })
var _ = register("order/lhs-nil-field", func(t *trace) { drive(t, LeftHandSides(t, 2), []any{"n", 2, 3, 4, "n"}) })
var _ = register("order/lhs-out-of-range", func(t *trace) { drive(t, LeftHandSides(t, 3), []any{"n", 2, 3, 4, "n"}) })
var _ = register("order/lhs-nil-map", func(t *trace) { drive(t, LeftHandSides(t, 4), []any{"n", 2, 3, 4, "n"}) })
