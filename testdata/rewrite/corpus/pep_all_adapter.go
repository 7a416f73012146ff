package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// AdapterSource yields 0..n-1 and logs how it ends.
//
//asyncgo:generator
func AdapterSource(t *trace, n int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		defer t.log("source defer")
		for i := range n {
			co.Yield(i)
		}
		return "source done"
	})
}

// AdapterUser ranges over another generator's All adapter with a
// suspension in the loop, and stops it early with break.
//
//asyncgo:generator
func AdapterUser(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		src := AdapterSource(t, 5)
		for v := range src.All() {
			if co.Yield(fmt.Sprint("got ", v)) < 0 {
				break
			}
		}
		r, ok := src.Result()
		return fmt.Sprint(r, " ", ok, " ", src.State())
	})
}

var _ = register("pep/all-adapter", func(t *trace) { drive(t, AdapterUser(t), []any{"n", 0, 0, 0, 0, 0, "n"}) })
var _ = register("pep/all-adapter-break", func(t *trace) { drive(t, AdapterUser(t), []any{"n", 0, -1, "n"}) })
