package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SwitchJumps suspends in expression and type switches inside a loop: a
// plain break leaves the switch, not the loop; a labelled one leaves the
// loop; fallthrough runs the next case's body after a yield; continue
// goes to the loop.
//
//asyncgo:generator
func SwitchJumps(vals []any) *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		n := 0
	loop:
		for i, v := range vals {
			switch x := v.(type) {
			case int:
				if co.Yield(fmt.Sprint("int ", x)) == 1 {
					break
				}
				n += x
			case string, fmt.Stringer:
				co.Yield(fmt.Sprint("stringish ", x))
				continue
			case nil:
				co.Yield("nil")
				break loop
			default:
				co.Yield(fmt.Sprintf("other %T", x))
			}
			switch {
			case i%2 == 0:
				co.Yield("even")
				fallthrough
			case i > 100:
				n += 100
				if co.Yield("fell through") == 2 {
					continue loop
				}
			default:
				co.Yield("odd")
			}
			n++
		}
		return n
	})
}

var _ = register("switch/jumps", func(t *trace) {
	drive(t, SwitchJumps([]any{1, "s", 2, 3.5, 4, nil, 9}), []any{"n", 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, "n"})
})
var _ = register("switch/jumps-break", func(t *trace) {
	drive(t, SwitchJumps([]any{7, 8}), []any{"n", 1, 0, 0, 0, 0, 0, "n"})
})
