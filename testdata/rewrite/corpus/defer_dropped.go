package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// DroppedSuspended is suspended and then dropped: coro.New documents that a
// dropped suspended generator is closed when it is garbage collected, so
// its deferred call runs.
//
//asyncgo:generator
func DroppedSuspended(done chan<- string) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		defer func() { done <- "deferred call ran" }()
		co.Yield(1)
		co.Yield(2)
		return 0
	})
}

var _ = register("defers/dropped", func(t *trace) {
	done := make(chan string, 1)
	func() {
		g := DroppedSuspended(done)
		g.Next()
	}()
	awaitClosed(t, "defers/dropped", done)
})

// awaitClosed collects garbage until the deferred call of a dropped
// generator reports on ch, and logs what it reported. The collector and
// the cleanup goroutine may take long on a loaded machine, so it waits up
// to 30 s; a generator still not closed then is a failure of the program
// (a trace saying so would be the same in both modes): it exits the
// corpus run with an error.
func awaitClosed(t *trace, name string, ch <-chan string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		runtime.GC()
		select {
		case s := <-ch:
			t.log("%s", s)
			return
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "%s: the dropped generator was not closed within 30 s of garbage collection\n", name)
			os.Exit(1)
		}
	}
}
