package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Catcher handles errors thrown in with YieldErr and carries on.
//
//asyncgo:generator
func Catcher(t *trace) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		defer t.log("catcher unwinds")
		handled := 0
		msg := "ready"
		for {
			v, err := co.YieldErr(msg)
			if err != nil {
				handled++
				msg = "handled " + err.Error()
				if handled == 2 {
					co.Raise(fmt.Errorf("giving up: %w", err))
				}
				continue
			}
			msg = fmt.Sprint("got ", v)
		}
	})
}

// Shadow shadows and reassigns across suspensions.
//
//asyncgo:generator
func Shadow() *coro.Generator[string, string, string] {
	return coro.New(func(co *coro.Co[string, string]) string {
		x := "outer"
		a, b := 1, 2
		if x := co.Yield(x); x != "" {
			co.Yield("inner " + x)
			a, b = b, a
		}
		{
			x := x + "!"
			co.Yield(x)
		}
		x, err := co.YieldErr(fmt.Sprint(a, b))
		if err != nil {
			return "err " + err.Error()
		}
		var y, z = x + "y", x + "z"
		co.Yield(y + z)
		return x
	})
}

// YieldInExpr uses a suspension's value inside larger expressions.
//
//asyncgo:generator
func YieldInExpr() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		total := 0
		total += co.Yield(0) * 2
		xs := []int{co.Yield(1), 5}
		if co.Yield(2) > 10 {
			total += 100
		}
		switch co.Yield(3) {
		case 1:
			total += 1000
		}
		var m = map[string]int{"k": co.Yield(4)}
		co.Yield(total + xs[0] + m["k"])
		return co.Yield(-1)
	})
}

var errSpecial = errors.New("special")

var _ = register("yielderr/catch", func(t *trace) { drive(t, Catcher(t), []any{"n", 1, "t", 2, "t", "n"}) })
var _ = register("yielderr/close", func(t *trace) { drive(t, Catcher(t), []any{"n", "t", "c"}) })
var _ = register("shadow/send", func(t *trace) { drive(t, Shadow(), []any{"n", "s", "n", "n", "q", "n"}) })
var _ = register("shadow/empty", func(t *trace) { drive(t, Shadow(), []any{"n", "", "n", "t", "n"}) })
var _ = register("yield/in-expr", func(t *trace) { drive(t, YieldInExpr(), []any{"n", 1, 2, 20, 1, 9, 4, 99}) })
