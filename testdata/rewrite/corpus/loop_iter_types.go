package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Nums is a named iterator type.
type Nums func(yield func(int) bool)

// Bag has a method value that is an iterator.
type Bag struct{ items []string }

// All iterates over the bag's items.
func (b *Bag) All(yield func(int, string) bool) {
	for i, s := range b.items {
		if !yield(i, s) {
			return
		}
	}
}

// IterTypes ranges, across suspensions, over a named iterator type, a
// method value, a generic iterator parameter and a sorted map's keys.
//
//asyncgo:generator
func IterTypes[T any](seq iter.Seq[T], b *Bag) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
		var nums Nums = func(yield func(int) bool) {
			for i := range 3 {
				if !yield(i * i) {
					return
				}
			}
		}
		for x := range nums {
			co.Yield(fmt.Sprint("nums ", x))
			n++
		}
		for i, s := range b.All {
			co.Yield(fmt.Sprint("bag ", i, s))
			n++
		}
		for v := range seq {
			co.Yield(fmt.Sprint("seq ", v))
			n++
		}
		for _, k := range slices.Sorted(maps.Keys(map[string]int{"z": 1, "y": 2})) {
			co.Yield(k)
		}
		return n
	})
}

var _ = register("loops/iter-types", func(t *trace) {
	all(t, IterTypes(slices.Values([]float64{1.5, 2.5}), &Bag{[]string{"p", "q"}}))
})
