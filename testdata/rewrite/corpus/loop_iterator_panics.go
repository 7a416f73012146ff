package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// panicsAfter panics in the iterator after its second value.
func panicsAfter(t *trace) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer t.log("panicsAfter done")
		for i := range 3 {
			if i == 2 {
				panic("iterator panic")
			}
			if !yield(i) {
				return
			}
		}
	}
}

// IteratorPanics ranges across suspensions over an iterator that panics:
// the panic reaches the loop's function, whose deferred recover sees it.
//
//asyncgo:generator
func IteratorPanics(t *trace) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) (res string) {
		defer func() {
			if r := recover(); r != nil {
				res = fmt.Sprint("recovered: ", r)
			}
		}()
		for v := range panicsAfter(t) {
			co.Yield(fmt.Sprint("panicsAfter ", v))
		}
		return "after panicsAfter"
	})
}

var _ = register("loops/iterator-panics", func(t *trace) { all(t, IteratorPanics(t)) })
