//go:build asyncgo_direct

// Package rewrite benchmarks generators lowered by asyncgo rewrite against
// direct mode, iter.Pull, a hand-written state machine and a push iterator.
// averager_asyncgo.go is generated: run `go generate` after changing
// averager.go.
package rewrite

import "github.com/asyncgo/asyncgo/runtime/coro"

//go:generate go run ../../cmd/asyncgo rewrite -w .

// Result is the averager's summary.
type Result struct {
	Count   int
	Average float64
}

// Averager is the seeds' running average, lowered by asyncgo rewrite.
//
//asyncgo:generator
func Averager() *coro.Generator[float64, float64, Result] {
	return coro.New(func(co *coro.Co[float64, float64]) Result {
		var total, avg float64
		var n int
		for {
			term := co.Yield(avg)
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

// Counter yields 0, 1, 2, ... lowered.
//
//asyncgo:generator
func Counter() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for i := 0; ; i++ {
			co.Yield(i)
		}
	})
}

// Summer yields the running total of the numbers sent to it, lowered: the
// body of bench/coro's BenchmarkCoroSend and its iter.Pull and goroutine
// baselines, and of generators.py's summer.
//
//asyncgo:generator
func Summer() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		total := 0
		for {
			total += co.Yield(total)
		}
	})
}

// Once yields 1 and returns, lowered: the generator bench/coro's
// BenchmarkCoroCreate and generators.py's create make, start and close.
//
//asyncgo:generator
func Once() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		return 0
	})
}
