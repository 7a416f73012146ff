package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// GoroutineCapture starts a goroutine that captures a variable by
// reference; the variable changes across a suspension before the
// goroutine reads it (synchronised by channels).
//
//asyncgo:generator
func GoroutineCapture() *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		x := 1
		start, done := make(chan struct{}), make(chan int)
		go func() {
			<-start
			done <- x
		}()
		x = co.Yield("x is 1")
		start <- struct{}{}
		got := <-done
		return fmt.Sprint("goroutine read ", got)
	})
}

// YieldsClosures yields closures over its variables; the caller calls
// them after the generator moved on.
//
//asyncgo:generator
func YieldsClosures() *coro.Generator[func() int, struct{}, int] {
	return coro.New(func(co *coro.Co[func() int, struct{}]) int {
		n := 0
		for i := range 3 {
			co.Yield(func() int { return n*10 + i })
			n++
		}
		return n
	})
}

var _ = register("closures/goroutine", func(t *trace) { drive(t, GoroutineCapture(), []any{"n", 42, "n"}) })
var _ = register("closures/yielded", func(t *trace) {
	g := YieldsClosures()
	var fs []func() int
	for f := range g.All() {
		fs = append(fs, f)
		t.log("now %d", f())
	}
	for _, f := range fs {
		t.log("later %d", f())
	}
})
