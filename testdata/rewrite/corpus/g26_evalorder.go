package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// GcOrder writes type assertions and slice expressions before a
// suspension in the same statement: gc evaluates them before the call, so
// their panics come before the yield. A range over a pointer to an array
// with only the index does not evaluate the pointer (the spec, "For
// statements with range clause"), so a nil pointer does not panic.
//
//asyncgo:generator
func GcOrder(box any, s string, i int, p *[3]int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		n := 0
		for k := range *p {
			n += k
			co.Yield(k)
		}
		for range p {
			co.Yield(-1)
		}
		x := s[i:] + fmt.Sprint(co.Yield(100))
		y := box.(int) + co.Yield(200)
		if box.(int) > co.Yield(300) {
			n++
		}
		return len(x) + y + n
	})
}

// eoBase is initialised after eoFirst, which depends on it through
// EoInitOrder's body: the lowered machine must keep that dependency.
var eoFirst = eoFirstValue(EoInitOrder())

// EoInitOrder yields eoBase.n.
//
//asyncgo:generator
func EoInitOrder() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(eoBase.n)
		return 0
	})
}

type eoBox struct{ n int }

var eoBase = &eoBox{42}

// eoFirstValue closes g: a direct generator started during package
// initialisation must not be left for the garbage collector to close
// (its coroutine would be resumed from another goroutine).
func eoFirstValue(g *coro.Generator[int, int, int]) int {
	y, _ := g.Next()
	g.Close()
	return y
}

var _ = register("evalorder/ok", func(t *trace) { all(t, GcOrder(1, "abc", 1, nil)) })
var _ = register("evalorder/slice", func(t *trace) { all(t, GcOrder(1, "abc", 5, nil)) })
var _ = register("evalorder/assert", func(t *trace) { all(t, GcOrder("x", "abc", 1, nil)) })
var _ = register("evalorder/array", func(t *trace) { all(t, GcOrder(1, "abc", 1, &[3]int{})) })
var _ = register("evalorder/init", func(t *trace) { t.log("first %d", eoFirst) })
