package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Walker is satisfied by types whose generator method walks something.
type Walker interface {
	Steps() *coro.Generator[string, struct{}, int]
}

type stairs struct{ n int }

// Steps yields one line per stair.
//
//asyncgo:generator
func (s stairs) Steps() *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		for i := range s.n {
			co.Yield(fmt.Sprint("stair ", i))
		}
		return s.n
	})
}

type ladder struct {
	stairs
	name string
}

// Climb walks every walker through the interface, delegating with
// YieldFrom, including one whose method is promoted from an embedded
// struct.
//
//asyncgo:generator
func Climb(ws ...Walker) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		total := 0
		for _, w := range ws {
			total += coro.YieldFrom(co, w.Steps())
			co.Yield(fmt.Sprintf("%T done", w))
		}
		return total
	})
}

var _ = register("methods/interface", func(t *trace) { all(t, Climb(stairs{2}, ladder{stairs{1}, "l"}, &stairs{1})) })
