package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// CBox has a generator method Items and a field named Resume; a function
// named CBox_Items sits beside it.
type CBox struct {
	xs     []int
	Resume string
}

// Items yields the box's items.
//
//asyncgo:generator
func (b *CBox) Items() *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		for _, x := range b.xs {
			co.Yield(x)
		}
		return b.Resume + CBox_Items()
	})
}

// CBox_Items is a user function whose name looks like a machine's.
func CBox_Items() string { return " (func)" }

// Next is a generator method whose name is a Generator method's.
//
//asyncgo:generator
func (b CBox) Next() *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		co.Yield(fmt.Sprint(len(b.xs)))
		return len(b.Resume)
	})
}

var _ = register("names/method-collide", func(t *trace) {
	b := &CBox{xs: []int{1, 2}, Resume: "resume field"}
	all(t, b.Items())
	all(t, b.Next())
})
