package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// NamedRecover returns through named results that deferred functions
// change after a panic, a throw, a close and a normal return.
//
//asyncgo:generator
func NamedRecover(t *trace) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) (out string) {
		defer func() {
			if r := recover(); r != nil {
				var err error
				if e, ok := r.(error); ok {
					err = e
				}
				out = fmt.Sprint("recovered; boom: ", errors.Is(err, errBoom), "; was ", out)
			}
		}()
		defer func() { out += "+" }()
		out = "start"
		for {
			v := co.Yield(len(out))
			if v == 0 {
				return out + " returned"
			}
			if v == 1 {
				var m map[int]int
				m[0] = 1
			}
			out += fmt.Sprint(v)
		}
	})
}

var _ = register("defers/named-return", func(t *trace) { drive(t, NamedRecover(t), []any{"n", 5, 0, "n"}) })
var _ = register("defers/named-panic", func(t *trace) { drive(t, NamedRecover(t), []any{"n", 5, 1, "n"}) })
var _ = register("defers/named-throw", func(t *trace) { drive(t, NamedRecover(t), []any{"n", 5, "t", "n"}) })
var _ = register("defers/named-close", func(t *trace) { drive(t, NamedRecover(t), []any{"n", 5, "c", "n"}) })
