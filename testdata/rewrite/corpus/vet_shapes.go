package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// EndsInPanic has no return: its body ends in a panic, and a case of its
// switch ends in a loop left only by return.
//
//asyncgo:generator
func EndsInPanic() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		switch co.Yield(0) {
		case 1:
			for {
				if co.Yield(1) == 0 {
					return 5
				}
			}
		case 2:
			return co.Yield(2)
		case 3:
			panic("three")
		}
		panic("the end")
	})
}

// NamedByName returns its named result by name after suspensions.
//
//asyncgo:generator
func NamedByName() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) (res string) {
		res = "r"
		if co.Yield(1) > 0 {
			res += "+"
			return res
		}
		return
	})
}

var _ = register("vet/ends-in-panic", func(t *trace) {
	drive(t, EndsInPanic(), []any{"n", 1, 1, 0})
	drive(t, EndsInPanic(), []any{"n", 2, 7})
	drive(t, EndsInPanic(), []any{"n", 3})
	drive(t, EndsInPanic(), []any{"n", 4})
})
var _ = register("vet/named-by-name", func(t *trace) {
	drive(t, NamedByName(), []any{"n", 1})
	drive(t, NamedByName(), []any{"n", 0})
})
