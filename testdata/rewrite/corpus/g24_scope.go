package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// scopeItem is shadowed by a local type in Shadowed.
type scopeItem struct{ n int }

// Shadowed declares, in blocks that do not suspend, names the generated
// code must not depend on: a local panic, a local coro, a local named
// like an imported package, a local type named like the type of a
// variable a closure captures.
//
//asyncgo:generator
func Shadowed(fail bool) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		it := scopeItem{1}
		co.Yield(strings.ToUpper("start"))
		{
			type scopeItem struct{ s string }
			strings := scopeItem{"local"}
			get := func() int { return it.n }
			it.n = get() + len(strings.s)
		}
		{
			panic := func(string) {}
			coro := 3
			panic("not the builtin")
			if fail {
				co.Raise(errors.New(fmt.Sprint("raised with local coro ", coro)))
			}
		}
		co.Yield(fmt.Sprint(it.n))
		return "done"
	})
}

// failingSub fails its Close: it catches the exit and raises another
// error.
//
//asyncgo:generator
func failingSub() *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		if _, err := co.YieldErr("sub"); err != nil {
			co.Raise(errors.New("sub cleanup failed"))
		}
		return "sub done"
	})
}

// HandlesSubClose delegates to failingSub; closing it delivers the error
// of sub's Close to YieldFromErr, which handles it and returns: Close
// returns nil (PEP 380).
//
//asyncgo:generator
func HandlesSubClose(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		r, err := coro.YieldFromErr(co, failingSub())
		if err != nil {
			t.log("delegator got %v", err)
			return "handled"
		}
		return r
	})
}

var _ = register("scope/shadowed", func(t *trace) { all(t, Shadowed(false)) })
var _ = register("scope/shadowed-raise", func(t *trace) { all(t, Shadowed(true)) })
var _ = register("scope/sub-close-fails", func(t *trace) { drive(t, HandlesSubClose(t), []any{"n", "c"}) })
