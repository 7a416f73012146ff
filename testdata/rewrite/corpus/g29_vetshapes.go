package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// BodyEndsInPanic ends its body with co.Raise or panic, no return: the lowered
// code after them must not be unreachable for vet.
//
//asyncgo:generator
func BodyEndsInPanic(fail bool) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		if fail {
			co.Raise(errors.New("raised"))
		}
		panic("end")
	})
}

// CasesEndWithout ends its cases with an endless loop that suspends, an endless
// loop that does not, a return and a panic: no case needs a jump out, so
// the switch's end label is used by nothing.
//
//asyncgo:generator
func CasesEndWithout(k int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		switch k {
		case 1:
			for {
				if co.Yield(1) > 3 {
					return 5
				}
			}
		case 2:
			co.Yield(2)
			for {
			}
		case 3:
			co.Yield(3)
			return 3
		default:
			co.Yield(4)
			panic("default")
		}
	})
}

// SelectsSwitches breaks and continues a labelled loop from select
// cases, and switches on a type and a tagless switch with fallthrough.
//
//asyncgo:generator
func SelectsSwitches(ch chan int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		out := ""
	loop:
		for i := 0; i < 4; i++ {
			select {
			case v, ok := <-ch:
				if !ok {
					break loop
				}
				out += fmt.Sprint(v + co.Yield(v))
			case ch <- i:
				co.Yield(-i)
				continue loop
			}
		}
		var x any = out
		switch y := x.(type) {
		case int:
			co.Yield(y)
		case string, error:
			co.Yield(len(fmt.Sprint(y)))
		}
		switch n := len(out); {
		case n > 100:
			co.Yield(100)
			fallthrough
		case n > 0:
			co.Yield(n)
		}
		return out
	})
}

func vetSendCounting[R any](t *trace, g *coro.Generator[int, int, R], n int) {
	var script []any
	for i := range n {
		script = append(script, i%3)
	}
	script[0] = "n"
	drive(t, g, script)
}

var _ = register("vetshapes/raise", func(t *trace) { vetSendCounting(t, BodyEndsInPanic(true), 4) })
var _ = register("vetshapes/panic", func(t *trace) { vetSendCounting(t, BodyEndsInPanic(false), 4) })
var _ = register("vetshapes/case-loop", func(t *trace) { vetSendCounting(t, CasesEndWithout(1), 8) })
var _ = register("vetshapes/case-return", func(t *trace) { vetSendCounting(t, CasesEndWithout(3), 4) })
var _ = register("vetshapes/case-panic", func(t *trace) { vetSendCounting(t, CasesEndWithout(4), 4) })
var _ = register("vetshapes/select", func(t *trace) { vetSendCounting(t, SelectsSwitches(make(chan int, 1)), 12) })
