package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Tree is a generic binary tree.
type Tree[T any] struct {
	Left, Right *Tree[T]
	Val         T
}

// Walk yields the values in order, delegating to the subtrees' walks
// (recursive generators through YieldFrom), and returns the count.
//
//asyncgo:generator
func (n *Tree[T]) Walk() *coro.Generator[T, struct{}, int] {
	return coro.New(func(co *coro.Co[T, struct{}]) int {
		if n == nil {
			return 0
		}
		c := coro.YieldFrom(co, n.Left.Walk())
		co.Yield(n.Val)
		c += coro.YieldFrom(co, n.Right.Walk())
		return c + 1
	})
}

type point struct{ X, Y int }

var _ = register("generics/tree-walk", func(t *trace) {
	tr := &Tree[string]{Val: "m", Left: &Tree[string]{Val: "c", Right: &Tree[string]{Val: "f"}}, Right: &Tree[string]{Val: "x"}}
	all(t, tr.Walk())
	pt := &Tree[point]{Val: point{1, 2}, Left: &Tree[point]{Val: point{0, 0}}}
	all(t, pt.Walk())
	g := tr.Walk()
	drive(t, g, []any{"n", "n", "c", "n"})
	t.log("%v", fmt.Sprint(g.State()))
})
