package main

import (
	"fmt"
	"iter"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type mixedAcc struct{ n int }

func (a *mixedAcc) Add(k int) int { a.n += k; return a.n }

// mixedSub is delegated to by MixedBag.
//
//asyncgo:generator
func mixedSub(t *trace, n int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer t.log("sub defer %d", n)
		for i := range n {
			co.Yield(100 + i)
		}
		return fmt.Sprint("sub", n)
	})
}

// MixedBag combines what the lowering handles apart: a label that only goto
// targets on a declaration (each pass declares a new x, which a closure
// captures), a method call evaluated before the yield of its statement,
// yield from inside a range-over-func loop and a return from it, YieldErr
// in an endless iterator's loop, a deferred closure on the named result.
//
//asyncgo:generator
func MixedBag(t *trace, xs []int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) (out string) {
		var acc mixedAcc
		defer func() { out += fmt.Sprint(" acc=", acc.n) }()
		var fs []func() int
		i := 0
	top:
		x := i * 10
		fs = append(fs, func() int { return x })
		if acc.Add(i)+co.Yield(i) > 100 {
			return "early"
		}
		i++
		if i < 3 {
			goto top
		}
		for v := range slices.Values(xs) {
			out += coro.YieldFrom(co, mixedSub(t, v))
			if v == 2 {
				return out + " ret-in-loop"
			}
		}
		var seq iter.Seq[int] = func(yield func(int) bool) {
			defer t.log("seq done")
			for k := 0; ; k++ {
				if !yield(k) {
					return
				}
			}
		}
		for k := range seq {
			if _, err := co.YieldErr(k); err != nil {
				out += "caught " + err.Error()
				break
			}
		}
		for _, f := range fs {
			out += fmt.Sprint(f())
		}
		return
	})
}

var _ = register("mixed/throw", func(t *trace) {
	drive(t, MixedBag(t, []int{1, 3}), []any{"n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "n", "t", "n"})
})
var _ = register("mixed/return-in-loop", func(t *trace) {
	drive(t, MixedBag(t, []int{1, 2}), []any{"n", "n", "n", "n", "n", "n", "n", "n"})
})
var _ = register("mixed/early", func(t *trace) { drive(t, MixedBag(t, nil), []any{"n", "n", 200}) })
var _ = register("mixed/close-in-sub", func(t *trace) { drive(t, MixedBag(t, []int{3}), []any{"n", "n", "n", "n", "n", "c"}) })
var _ = register("mixed/close-in-seq", func(t *trace) { drive(t, MixedBag(t, nil), []any{"n", "n", "n", "n", "n", "n", "c"}) })
