package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// chainInner is not annotated: it runs direct under lowered delegators.
// It handles a thrown error once and ends on the second.
func chainInner(t *trace) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		defer t.log("inner defer")
		sum := 0
		caught := false
		for i := 0; ; i++ {
			v, err := co.YieldErr(fmt.Sprint("inner ", i))
			if err != nil {
				if caught {
					co.Raise(fmt.Errorf("inner gives up: %w", err))
				}
				caught = true
				continue
			}
			if v < 0 {
				return sum
			}
			sum += v
		}
	})
}

// ChainMiddle delegates to chainInner and adds to its result.
//
//asyncgo:generator
func ChainMiddle(t *trace) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		defer t.log("middle defer")
		r := coro.YieldFrom(co, chainInner(t))
		co.Yield(fmt.Sprint("middle got ", r))
		return r * 10
	})
}

// ChainOuter delegates to ChainMiddle, then to an exhausted generator.
//
//asyncgo:generator
func ChainOuter(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		defer t.log("outer defer")
		r, err := coro.YieldFromErr(co, ChainMiddle(t))
		if err != nil {
			return fmt.Sprint("outer caught: ", err, "; boom: ", errors.Is(err, errBoom))
		}
		done := ChainMiddle(t)
		done.Close()
		r2, err := coro.YieldFromErr(co, done)
		return fmt.Sprint("outer ", r, " then ", r2, " ", err)
	})
}

var _ = register("pep/chain-run", func(t *trace) { drive(t, ChainOuter(t), []any{"n", 1, 2, -1, 0, "n"}) })
var _ = register("pep/chain-throw-once", func(t *trace) { drive(t, ChainOuter(t), []any{"n", 1, "t", 3, -1, 0, "n"}) })
var _ = register("pep/chain-throw-twice", func(t *trace) { drive(t, ChainOuter(t), []any{"n", "t", "t", "n"}) })
var _ = register("pep/chain-close", func(t *trace) { drive(t, ChainOuter(t), []any{"n", 4, "c", "n"}) })
var _ = register("pep/chain-close-middle", func(t *trace) { drive(t, ChainOuter(t), []any{"n", -1, "c", "n"}) })
