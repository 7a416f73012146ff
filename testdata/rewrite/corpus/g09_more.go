package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// LabelledRange continues and breaks labelled range loops from a switch
// and a select.
//
//asyncgo:generator
func LabelledRange(out chan int) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		sent := 0
	rows:
		for r, row := range [][]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}} {
			for _, v := range row {
				switch {
				case v == 2:
					co.Yield("skip rest of row 0")
					continue rows
				case v == 8:
					co.Yield("stop")
					break rows
				}
				select {
				case out <- v:
					sent++
					co.Yield(fmt.Sprint("sent ", v, " from row ", r))
				default:
					co.Yield("full")
					continue rows
				}
			}
		}
		return sent
	})
}

// Seq2Map ranges over Seq2 iterators and assigns to existing variables.
//
//asyncgo:generator
func Seq2Map(m map[string]int) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var k string
		var v int
		for _, k = range slices.Sorted(maps.Keys(m)) {
			co.Yield(k)
		}
		for i, s := range slices.All([]string{"p", "q"}) {
			co.Yield(fmt.Sprint(i, s))
		}
		for k, v = range m {
			co.Yield(fmt.Sprint(len(k)*0 + v*0))
		}
		ch := make(chan int, 2)
		ch <- 1
		ch <- 2
		close(ch)
		n := 0
		for range ch {
			n++
			co.Yield("tick")
		}
		return fmt.Sprint(k != "" || v >= 0, n)
	})
}

// GenericSub is a generic generator used as a sub-generator.
//
//asyncgo:generator
func GenericSub[T any](xs ...T) *coro.Generator[T, struct{}, int] {
	return coro.New(func(co *coro.Co[T, struct{}]) int {
		for _, x := range xs {
			co.Yield(x)
		}
		return len(xs)
	})
}

// GenericOuter delegates to GenericSub.
//
//asyncgo:generator
func GenericOuter[T any](a, b []T) *coro.Generator[T, struct{}, int] {
	return coro.New(func(co *coro.Co[T, struct{}]) int {
		n := coro.YieldFrom(co, GenericSub(a...))
		n += coro.YieldFrom(co, GenericSub(b...))
		return n
	})
}

var _ = register("more/labelled-range", func(t *trace) {
	out := make(chan int, 3)
	all(t, LabelledRange(out))
	t.log("channel holds %d", len(out))
})
var _ = register("more/seq2-map-assign", func(t *trace) { all(t, Seq2Map(map[string]int{"b": 2, "a": 1})) })
var _ = register("more/generic-yieldfrom", func(t *trace) {
	all(t, GenericOuter([]string{"x", "y"}, []string{"z"}))
	drive(t, GenericOuter([]int{1, 2}, []int{3}), []any{"n", "n", "t", "n"})
})
