package main

import (
	"runtime"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// GoexitAfterYield calls runtime.Goexit after a suspension: the deferred calls run.
//
//asyncgo:generator
func GoexitAfterYield(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		defer t.log("deferred before Goexit ran")
		co.Yield(1)
		runtime.Goexit()
		return "unreachable"
	})
}

var _ = register("panics/goexit-after-yield", func(t *trace) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		drive(t, GoexitAfterYield(t), []any{"n", "n", "n"})
	}()
	<-done
})
