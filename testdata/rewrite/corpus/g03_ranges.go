package main

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RangeInt ranges over an integer.
//
//asyncgo:generator
func RangeInt(n int64) *coro.Generator[int64, struct{}, int] {
	return coro.New(func(co *coro.Co[int64, struct{}]) int {
		c := 0
		for i := range n {
			co.Yield(i * i)
			c++
		}
		for range 3 {
			co.Yield(-1)
		}
		return c
	})
}

// RangeSlice ranges over a slice that the body changes.
//
//asyncgo:generator
func RangeSlice(xs []string) *coro.Generator[string, struct{}, []string] {
	return coro.New(func(co *coro.Co[string, struct{}]) []string {
		for i, x := range xs {
			co.Yield(fmt.Sprint(i, ":", x))
			if i == 0 {
				xs = append(xs, "appended") // not seen: the length was taken once
				xs[1] = "changed"           // seen: same backing array
			}
		}
		for i := range xs {
			co.Yield(fmt.Sprint("index ", i))
		}
		var last string
		for _, last = range xs {
			co.Yield(last)
		}
		return xs
	})
}

// RangeArray ranges over an array, which is copied.
//
//asyncgo:generator
func RangeArray() *coro.Generator[int, struct{}, [3]int] {
	return coro.New(func(co *coro.Co[int, struct{}]) [3]int {
		a := [3]int{1, 2, 3}
		for i, v := range a {
			a[2] = 100
			co.Yield(i*10 + v)
		}
		for i, v := range &a {
			a[2] = 7
			co.Yield(i*10 + v)
		}
		return a
	})
}

// RangeString ranges over the runes of a string, invalid UTF-8 included.
//
//asyncgo:generator
func RangeString(s string) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
		for i, r := range s {
			co.Yield(fmt.Sprintf("%d:%q", i, r))
			n++
		}
		for i := range "héllo" {
			co.Yield(fmt.Sprint(i))
		}
		return n
	})
}

// RangeMap ranges over a map; the order is random, so it sums.
//
//asyncgo:generator
func RangeMap(m map[string]int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		sum := 0
		for k, v := range m {
			sum += v
			co.Yield(len(k) * 0) // the order is random
		}
		for k := range m {
			delete(m, k) // entries deleted before they are reached are not produced
			co.Yield(0)
		}
		return sum
	})
}

// RangeChan ranges over a channel.
//
//asyncgo:generator
func RangeChan(ch chan int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		for v := range ch {
			co.Yield(v)
		}
		return "drained"
	})
}

// RangeFunc ranges over push iterators.
//
//asyncgo:generator
func RangeFunc(words []string) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
		for w := range slices.Values(words) {
			co.Yield(strings.ToUpper(w))
			n++
			if n == 3 {
				break
			}
		}
		for i, w := range slices.All(words) {
			co.Yield(fmt.Sprint(i, w))
		}
		keys := slices.Sorted(maps.Keys(map[string]bool{"b": true, "a": true}))
		var seq iter.Seq[string] = slices.Values(keys)
		for k := range seq {
			co.Yield(k)
		}
		return n
	})
}

// FuncIterClosed breaks out of a range-over-func loop that suspends: the
// iterator sees yield return false and its deferred cleanup runs.
//
//asyncgo:generator
func FuncIterClosed(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		seq := func(yield func(int) bool) {
			defer t.log("iterator cleanup")
			for i := 0; i < 5; i++ {
				if !yield(i) {
					t.log("iterator told to stop")
					return
				}
			}
		}
		for v := range seq {
			if co.Yield(v) == 1 {
				break
			}
		}
		return 0
	})
}

var _ = register("range/int", func(t *trace) { all(t, RangeInt(3)) })
var _ = register("range/slice", func(t *trace) { all(t, RangeSlice([]string{"a", "b", "c"})) })
var _ = register("range/array", func(t *trace) { all(t, RangeArray()) })
var _ = register("range/string", func(t *trace) { all(t, RangeString("añ\xffz")) })
var _ = register("range/map", func(t *trace) { all(t, RangeMap(map[string]int{"a": 1, "bb": 2, "ccc": 3})) })
var _ = register("range/chan", func(t *trace) {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
	all(t, RangeChan(ch))
})
var _ = register("range/func", func(t *trace) { all(t, RangeFunc([]string{"x", "y", "z", "w"})) })
var _ = register("range/func-closed", func(t *trace) { drive(t, FuncIterClosed(t), []any{"n", 0, 1, "n"}) })
