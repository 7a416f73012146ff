package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

type deferRec struct{ name string }

func (d deferRec) done(t *trace)   { t.log("value method %s", d.name) }
func (d *deferRec) ptr(t *trace)   { t.log("pointer method %s", d.name) }
func deferClosure(t *trace) func() { return func() { t.log("returned closure") } }

// DeferLoop defers in a loop across suspensions, method values on a
// value and a pointer (the receiver is evaluated at the defer), and a
// closure returned by a call made at the defer statement.
//
//asyncgo:generator
func DeferLoop(t *trace, n int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		r := deferRec{"first"}
		defer r.done(t)
		defer r.ptr(t)
		defer deferClosure(t)()
		for i := range n {
			defer func() { t.log("loop defer %d", i) }()
			co.Yield(i)
		}
		r.name = "changed"
		return r.name
	})
}

var _ = register("defers/loop", func(t *trace) { all(t, DeferLoop(t, 3)) })
var _ = register("defers/loop-close", func(t *trace) { drive(t, DeferLoop(t, 3), []any{"n", "n", "c"}) })
var _ = register("defers/loop-throw", func(t *trace) { drive(t, DeferLoop(t, 3), []any{"n", "t"}) })
