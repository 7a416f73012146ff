package main

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type number interface{ ~int | ~int64 | ~float64 }

type meters int

// Accumulate is generic over a type set with ~: it sums what it is sent
// and yields the running total.
//
//asyncgo:generator
func Accumulate[N number](start N) *coro.Generator[N, N, string] {
	return coro.New(func(co *coro.Co[N, N]) string {
		total := start
		for {
			v := co.Yield(total)
			if v == 0 {
				break
			}
			total += v
		}
		return fmt.Sprintf("%v %T", total, total)
	})
}

// Sorted merges two sorted slices of any ordered type, lazily.
//
//asyncgo:generator
func Sorted[T cmp.Ordered](a, b []T) *coro.Generator[T, struct{}, int] {
	return coro.New(func(co *coro.Co[T, struct{}]) int {
		i, j := 0, 0
		for i < len(a) || j < len(b) {
			if j == len(b) || (i < len(a) && cmp.Less(a[i], b[j])) {
				co.Yield(a[i])
				i++
			} else {
				co.Yield(b[j])
				j++
			}
		}
		return i + j
	})
}

// Keyed has two type parameters, one used only in a local of a generic
// type, and calls a generic function at a suspension.
//
//asyncgo:generator
func Keyed[K comparable, V fmt.Stringer](keys []K, f func(K) V) *coro.Generator[string, struct{}, map[K]int] {
	return coro.New(func(co *coro.Co[string, struct{}]) map[K]int {
		seen := map[K]int{}
		var last V
		for _, k := range keys {
			seen[k]++
			last = f(k)
			co.Yield(strings.ToUpper(last.String()))
		}
		co.Yield(fmt.Sprint(len(seen)))
		return seen
	})
}

type word string

func (w word) String() string { return "w:" + string(w) }

var _ = register("generics/type-set", func(t *trace) {
	drive(t, Accumulate(meters(5)), []any{"n", meters(2), meters(3), meters(0), "n"})
	drive(t, Accumulate(1.5), []any{"n", 0.25, 0.0})
})
var _ = register("generics/ordered", func(t *trace) {
	all(t, Sorted([]int{1, 4, 9}, []int{2, 3, 10, 11}))
	all(t, Sorted([]string{"b", "d"}, []string{"a", "c", "e"}))
})
var _ = register("generics/two-params", func(t *trace) {
	all(t, Keyed([]int{1, 2, 1}, func(i int) word { return word(fmt.Sprint(i)) }))
})
