package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ThrowCatch handles a thrown error at the suspension with YieldErr and
// goes on (PEP 342 throw), unwinds on close, and re-raises with co.Raise
// an error it did not expect.
//
//asyncgo:generator
func ThrowCatch(t *trace) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer t.log("throw-catch done")
		caught := 0
		for i := 0; ; i++ {
			v, err := co.YieldErr(i)
			switch {
			case errors.Is(err, errBoom):
				caught++
				if caught == 2 {
					co.Raise(fmt.Errorf("second boom: %w", err))
				}
				continue
			case err != nil:
				return "other error"
			}
			if v < 0 {
				return fmt.Sprint("caught ", caught)
			}
		}
	})
}

var _ = register("panics/throw-catch", func(t *trace) { drive(t, ThrowCatch(t), []any{"n", "t", 1, -1, "n"}) })
var _ = register("panics/throw-raise", func(t *trace) { drive(t, ThrowCatch(t), []any{"n", "t", "t", "n"}) })
var _ = register("panics/throw-close", func(t *trace) { drive(t, ThrowCatch(t), []any{"n", "t", "c", "t", "n"}) })
var _ = register("panics/throw-before-start", func(t *trace) { drive(t, ThrowCatch(t), []any{"t", "n", "c"}) })
var _ = register("panics/send-before-start", func(t *trace) { drive(t, ThrowCatch(t), []any{3, 0, "n", -1}) })
