package main

import (
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
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		select {
		case s := <-done:
			t.log("%s", s)
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.log("never closed")
})
