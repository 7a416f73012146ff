package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SelectOperandsYield chooses a select's channels and the value it sends
// by yielding: Go evaluates all of them, in source order, once on
// entering the select (the spec, "Select statements"). The channel it
// receives from is nil (never ready), so the send is the only case.
//
//asyncgo:generator
func SelectOperandsYield(chs []chan int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		out := ""
		for range 2 {
			select {
			case v, ok := <-chs[co.Yield("which receive?")]:
				out += fmt.Sprint("recv ", v, ok, ";")
			case chs[co.Yield("which send?")] <- co.Yield("what value?"):
				out += "sent;"
			}
		}
		close(chs[1])
		for v := range chs[1] {
			out += fmt.Sprint(v, ";")
		}
		return out
	})
}

var _ = register("select/operands-yield", func(t *trace) {
	drive(t, SelectOperandsYield([]chan int{nil, make(chan int, 2)}), []any{"n", 0, 1, 7, 0, 1, 8, "n"})
})
