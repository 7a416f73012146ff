package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type codeErr struct{ code int }

func (e *codeErr) Error() string { return fmt.Sprint("code ", e.code) }

// Repanic recovers a panic and panics again with another value; the
// outer deferred function sees the new one. Panics with error values
// reach the caller as errors that unwrap to them.
//
//asyncgo:generator
func Repanic(t *trace, mode int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) (res string) {
		defer func() {
			r := recover()
			t.log("outer recovered %v", r)
			if mode == 2 {
				panic(&codeErr{7})
			}
			res = fmt.Sprint("outer ", r)
		}()
		defer func() {
			r := recover()
			t.log("inner recovered %v", r)
			panic(fmt.Sprint("again: ", r))
		}()
		v := co.Yield(1)
		if v == 0 {
			panic(errors.New("first"))
		}
		return fmt.Sprint(10 / (v - 1))
	})
}

var _ = register("panics/repanic", func(t *trace) { drive(t, Repanic(t, 1), []any{"n", 0, "n"}) })
var _ = register("panics/repanic-error", func(t *trace) {
	g := Repanic(t, 2)
	drive(t, g, []any{"n", 1, "n"})
	var ce *codeErr
	t.log("unwraps to codeErr: %v", errors.As(g.Err(), &ce))
})
var _ = register("panics/repanic-normal", func(t *trace) { drive(t, Repanic(t, 1), []any{"n", 3, "n"}) })
