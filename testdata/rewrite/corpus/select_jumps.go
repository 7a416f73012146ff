package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SelectJumps suspends in select cases inside a loop: break leaves the
// select only, a labelled break the loop, continue the iteration, return
// the body.
//
//asyncgo:generator
func SelectJumps(in chan int) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		got := 0
	loop:
		for i := 0; i < 6; i++ {
			select {
			case v, ok := <-in:
				if !ok {
					co.Yield("closed")
					break loop
				}
				switch co.Yield(fmt.Sprint("recv ", v)) {
				case 1:
					break // the switch
				case 2:
					continue loop
				case 3:
					return fmt.Sprint("returned with ", got)
				}
				got += v
			default:
				if co.Yield("empty") == 4 {
					break
				}
				got += 100
			}
			got++
		}
		return fmt.Sprint("got ", got)
	})
}

func selectChan(vals ...int) chan int {
	ch := make(chan int, len(vals))
	for _, v := range vals {
		ch <- v
	}
	return ch
}

var _ = register("select/jumps", func(t *trace) {
	drive(t, SelectJumps(selectChan(1, 2, 3)), []any{"n", 1, 2, 0, 4, 0, 0, "n"})
})
var _ = register("select/jumps-return", func(t *trace) { drive(t, SelectJumps(selectChan(5, 6)), []any{"n", 0, 3, "n"}) })
var _ = register("select/jumps-closed", func(t *trace) {
	ch := selectChan(7)
	close(ch)
	drive(t, SelectJumps(ch), []any{"n", 0, 0, "n"})
})
