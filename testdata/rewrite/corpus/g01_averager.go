package main

import "github.com/asyncgo/asyncgo/runtime/coro"

// Result is the averager's summary.
type Result struct {
	Count   int
	Average float64
}

// Averager yields the running average of the numbers sent in; a negative
// number ends it.
//
//asyncgo:generator
func Averager() *coro.Generator[float64, float64, Result] {
	return coro.New(func(co *coro.Co[float64, float64]) Result {
		var total, avg float64
		var n int
		for {
			term := co.Yield(avg) // suspension point
			if term < 0 {
				break
			}
			total += term
			n++
			avg = total / float64(n)
		}
		return Result{n, avg}
	})
}

var _ = register("averager", func(t *trace) {
	drive(t, Averager(), []any{"n", 10.0, 30.0, 5.0, -1.0})
	drive(t, Averager(), []any{"n", 10.0, "t", "n"})
	drive(t, Averager(), []any{"n", 10.0, "c", "n"})
	drive(t, Averager(), []any{2.0, "n"})
})

// IntDiv divides by what it is sent: an integer division can panic, so
// its machine recovers (the averager's, with float division only, does not
// need to).
//
//asyncgo:generator
func IntDiv() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		q := 0
		for i := 0; i < 3; i++ {
			d := co.Yield(q)
			q = 100 / d
		}
		return q
	})
}

var _ = register("averager/int-div", func(t *trace) {
	drive(t, IntDiv(), []any{"n", 5, 0, "n"})
	drive(t, IntDiv(), []any{"n", 5, 4, 2, "n"})
	drive(t, IntDiv(), []any{"n", "t", "n"})
	drive(t, Averager(), []any{"n", 1.0, "t", "c"})
})
