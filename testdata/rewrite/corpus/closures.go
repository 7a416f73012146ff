package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ClosureState shares variables between the body and closures across
// suspensions: a counter closure, a recursive closure through a variable,
// a closure that changes a variable the body reads after a yield, and a
// closure returned as the result.
//
//asyncgo:generator
func ClosureState() *coro.Generator[int, int, counterFn] {
	return coro.New(func(co *coro.Co[int, int]) counterFn {
		count := 0
		inc := func(by int) int { count += by; return count }
		var fib func(int) int
		fib = func(n int) int {
			if n < 2 {
				return n
			}
			return fib(n-1) + fib(n-2)
		}
		for i := range 3 {
			v := co.Yield(inc(i))
			inc(v)
		}
		co.Yield(fib(count % 15))
		x := 1
		set := func() { x = 42 }
		co.Yield(x)
		set()
		co.Yield(x)
		return func() int { count++; return count * x }
	})
}

// counterFn prints as what it returns, so that traces hold no addresses.
type counterFn func() int

func (f counterFn) String() string { return fmt.Sprint("counterFn ", f()) }

// ClosureOverParams captures parameters and a named result in closures
// and defers.
//
//asyncgo:generator
func ClosureOverParams(a, b int) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) (r int) {
		swap := func() { a, b = b, a }
		defer func() { r = r*100 + a }()
		co.Yield(fmt.Sprint(a, b))
		swap()
		co.Yield(fmt.Sprint(a, b))
		return b
	})
}

var _ = register("closures/state", func(t *trace) {
	g := ClosureState()
	drive(t, g, []any{"n", 1, 2, 3, 0, 0, 0, "n"})
	if f, ok := g.Result(); ok {
		t.log("closure result %d %d", f(), f())
	}
})
var _ = register("closures/params", func(t *trace) { all(t, ClosureOverParams(3, 4)) })
