package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// SelectNil selects, across suspensions, over nil channels (never ready),
// a closed channel (always ready) and a channel of channels.
//
//asyncgo:generator
func SelectNil() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var nilch chan int
		closed := make(chan int)
		close(closed)
		chch := make(chan chan int, 1)
		inner := make(chan int, 1)
		inner <- 42
		chch <- inner
		got := 0
		for i := range 4 {
			select {
			case v := <-nilch:
				co.Yield(fmt.Sprint("impossible ", v))
			case nilch <- i:
				co.Yield("impossible send")
			case c := <-chch:
				got += <-c
				co.Yield(fmt.Sprint("inner ", got))
			default:
				select {
				case v, ok := <-closed:
					co.Yield(fmt.Sprint("closed ", v, ok))
				}
			}
		}
		return fmt.Sprint(got)
	})
}

var _ = register("select/nil-closed", func(t *trace) { all(t, SelectNil()) })
