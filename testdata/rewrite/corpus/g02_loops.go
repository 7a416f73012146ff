package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// CountTo yields 0..n-1 with a three-clause loop.
//
//asyncgo:generator
func CountTo(n int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		for i := 0; i < n; i++ {
			co.Yield(i)
		}
		return fmt.Sprint("counted ", n)
	})
}

// While loops with a condition only.
//
//asyncgo:generator
func While(n int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		sum := 0
		for sum < n {
			sum += co.Yield(sum) + 1
		}
		return sum
	})
}

// Forever loops without a condition and breaks out.
//
//asyncgo:generator
func Forever() *coro.Generator[string, bool, int] {
	return coro.New(func(co *coro.Co[string, bool]) int {
		i := 0
		for {
			i++
			if co.Yield(fmt.Sprint("tick", i)) {
				break
			}
			if i > 5 {
				return -i
			}
		}
		return i
	})
}

// Nested loops with labelled break and continue.
//
//asyncgo:generator
func Nested() *coro.Generator[[2]int, struct{}, int] {
	return coro.New(func(co *coro.Co[[2]int, struct{}]) int {
		count := 0
	outer:
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				if j > i {
					continue outer
				}
				if i == 3 && j == 1 {
					break outer
				}
				co.Yield([2]int{i, j})
				count++
			}
		}
		return count
	})
}

// VerbatimBreak has loops without suspensions inside a loop that suspends,
// whose break and continue target the outer loop.
//
//asyncgo:generator
func VerbatimBreak() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		total := 0
	loop:
		for i := 0; i < 10; i++ {
			for k := 0; k < 3; k++ {
				if i == 7 {
					break loop
				}
				if k == i%3 {
					continue loop
				}
				total += k
			}
			if i%2 == 0 {
				continue
			}
			co.Yield(total)
		}
		return total
	})
}

var _ = register("loops/count", func(t *trace) { all(t, CountTo(4)) })
var _ = register("loops/count0", func(t *trace) { all(t, CountTo(0)) })
var _ = register("loops/while", func(t *trace) { drive(t, While(10), []any{"n", 1, 2, 3, 4, 5}) })
var _ = register("loops/forever", func(t *trace) {
	drive(t, Forever(), []any{"n", false, false, true, "n"})
	drive(t, Forever(), []any{"n", "n", "n", "n", "n", "n", "n", "n"})
})
var _ = register("loops/nested", func(t *trace) { all(t, Nested()) })
var _ = register("loops/verbatim-break", func(t *trace) { all(t, VerbatimBreak()) })
