package main

import (
	"errors"
	"runtime"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// lineMark is the line of this function's call to runtime.Caller, in
// whichever version of this file is built: panic lines are reported
// relative to it, so the traces of both builds compare.
func lineMark() int { _, _, l, _ := runtime.Caller(0); return l }

// RelLineCond panics in a loop's condition after a suspension.
//
//asyncgo:generator
func RelLineCond(xs []int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		n := 0
		for i := 0; xs[i] > 0; i++ {
			co.Yield(xs[i])
			n++
		}
		return n
	})
}

// RelLinePost panics in a loop's post statement after a suspension.
//
//asyncgo:generator
func RelLinePost(xs []int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		n := 0
		for i := 0; i < 5; i += xs[i] {
			co.Yield(i)
			n++
		}
		return n
	})
}

// RelLineBody panics in a statement after a suspension.
//
//asyncgo:generator
func RelLineBody(m map[string]int) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		co.Yield(1)
		m["x"]++
		return 0
	})
}

// relPanicLine logs the line, relative to lineMark, at which g's body
// panicked in this file.
func relPanicLine[Y, S, R any](t *trace, g *coro.Generator[Y, S, R]) {
	for range 10 {
		if _, err := g.Next(); err != nil {
			var pe *coro.PanicError
			if !errors.As(err, &pe) {
				t.log("no panic: %v", err)
				return
			}
			for _, l := range strings.Split(string(pe.Stack), "\n") {
				if _, rest, ok := strings.Cut(l, "line_panic.go:"); ok {
					n, _ := strconv.Atoi(strings.Fields(rest)[0])
					t.log("panic %v at mark%+d", pe.Value, n-lineMark())
					return
				}
			}
			t.log("no line in the stack")
			return
		}
	}
}

var _ = register("lines/rel-cond", func(t *trace) { relPanicLine(t, RelLineCond([]int{1, 2})) })
var _ = register("lines/rel-post", func(t *trace) { relPanicLine(t, RelLinePost([]int{1, 1})) })
var _ = register("lines/rel-body", func(t *trace) { relPanicLine(t, RelLineBody(nil)) })
