package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ignoresStop keeps calling yield after it returned false: Go panics with
// a run-time error at that call ("range function continued iteration
// after function for loop body returned false").
func ignoresStop(t *trace) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer t.log("ignoresStop done")
		for i := range 3 {
			yield(i)
		}
	}
}

// IgnoresStop breaks, after a suspension, out of a range over an
// iterator that ignores its yield's false; the body's deferred recover
// sees the run-time error.
//
//asyncgo:generator
func IgnoresStop(t *trace) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) (res string) {
		defer func() {
			if r := recover(); r != nil {
				res = fmt.Sprint("recovered: ", r)
			}
		}()
		for v := range ignoresStop(t) {
			co.Yield(fmt.Sprint("ignoresStop ", v))
			if v == 0 {
				break
			}
		}
		return "after ignoresStop"
	})
}

var _ = register("loops/iterator-ignores-stop", func(t *trace) { all(t, IgnoresStop(t)) })
