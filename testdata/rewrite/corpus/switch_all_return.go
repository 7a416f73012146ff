package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SwitchAllReturn ends every case of an expression switch, a type switch
// and a select in return after a suspension; nothing follows them.
//
//asyncgo:generator
func SwitchAllReturn(v any, which int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		if which == 0 {
			switch x := co.Yield("expr"); {
			case x > 5:
				return fmt.Sprint("big ", co.Yield("big?"))
			default:
				return "small"
			}
		}
		if which == 1 {
			switch x := v.(type) {
			case int:
				return fmt.Sprint("int ", x+co.Yield("int"))
			case string:
				co.Yield(x)
				return "string"
			default:
				return "other"
			}
		}
		ch := make(chan int, 1)
		ch <- 3
		select {
		case got := <-ch:
			return fmt.Sprint("got ", got+co.Yield("select"))
		default:
			return "none"
		}
	})
}

var _ = register("switch/all-return", func(t *trace) {
	drive(t, SwitchAllReturn(nil, 0), []any{"n", 9, 1, "n"})
	drive(t, SwitchAllReturn(nil, 0), []any{"n", 1, "n"})
	drive(t, SwitchAllReturn(4, 1), []any{"n", 5, "n"})
	drive(t, SwitchAllReturn("s", 1), []any{"n", 0, "n"})
	drive(t, SwitchAllReturn(nil, 2), []any{"n", 7, "n"})
})
