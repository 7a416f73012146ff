package main

import (
	"fmt"
	"iter"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// PerIteration relies on Go 1.22's per-iteration loop variables across
// suspensions: a closure that changes the current iteration's variable
// changes the value the post statement starts from, continue included;
// defers and range-over-func variables are per iteration too.
//
//asyncgo:generator
func PerIteration(t *trace) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var bumps []func()
		for i := 0; i < 20; i++ {
			bumps = append(bumps, func() { i += 5 })
			co.Yield(fmt.Sprint("i ", i))
			if i%2 == 1 {
				bumps[len(bumps)-1]()
				continue
			}
			bumps[len(bumps)-1]()
		}
		var seqs []func() string
		var s iter.Seq[string] = slices.Values([]string{"a", "b"})
		for w := range s {
			seqs = append(seqs, func() string { return w })
			defer func() { t.log("deferred sees %s", w) }()
			co.Yield(w)
			w += "!"
		}
		out := ""
		for _, f := range seqs {
			out += f()
		}
		return out
	})
}

var _ = register("closures/per-iteration", func(t *trace) { all(t, PerIteration(t)) })
