package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type cmpPair struct{ v any }

// CompareBefore compares interfaces holding uncomparable values before a
// suspension in the same statement: gc compares first, so it panics
// before yielding.
//
//asyncgo:generator
func CompareBefore(a, b any) *coro.Generator[string, bool, string] {
	return coro.New(func(co *coro.Co[string, bool]) string {
		same := (a == b) == co.Yield("compare")
		return fmt.Sprint(same)
	})
}

// CompareAfter compares after a suspension: every kind of comparison that
// can panic (interfaces, structs and arrays holding them, switch cases).
//
//asyncgo:generator
func CompareAfter(a, b any) *coro.Generator[string, bool, string] {
	return coro.New(func(co *coro.Co[string, bool]) string {
		co.Yield("before")
		r := ""
		if co.Yield("iface") {
			r += fmt.Sprint(a == b)
		}
		if co.Yield("struct") {
			r += fmt.Sprint(cmpPair{a} == cmpPair{b})
		}
		if co.Yield("array") {
			r += fmt.Sprint([1]any{a} != [1]any{b})
		}
		switch a {
		case b:
			r += "case"
		}
		return r
	})
}

var _ = register("order/compare-panics", func(t *trace) { drive(t, CompareBefore([]int{1}, []int{1}), []any{"n", true, "n"}) })
var _ = register("order/compare-ok", func(t *trace) { drive(t, CompareBefore(1, 1), []any{"n", true, "n"}) })
var _ = register("panics/compare-iface", func(t *trace) {
	drive(t, CompareAfter([]int{1}, []int{1}), []any{"n", false, true, "n"})
})
var _ = register("panics/compare-struct", func(t *trace) {
	drive(t, CompareAfter(map[int]int{}, 2), []any{"n", false, false, true, "n"})
	drive(t, CompareAfter(func() {}, func() {}), []any{"n", false, false, true, "n"})
})
var _ = register("panics/compare-array", func(t *trace) {
	drive(t, CompareAfter([]string{}, []string{}), []any{"n", false, false, false, true, "n"})
})
var _ = register("panics/compare-switch", func(t *trace) {
	drive(t, CompareAfter([]string{}, []string{}), []any{"n", false, false, false, false, "n"})
	drive(t, CompareAfter("x", "x"), []any{"n", false, true, true, true, "n"})
})
