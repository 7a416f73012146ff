// The constraint keeps this file's lines where they are when the rewriter
// adds its own (it combines them on one line): the test compares them.

//go:build go1.22

package main

import (
	"errors"
	"regexp"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// nestedLine is the first frame of this file in a *PanicError's stack.
var nestedLine = regexp.MustCompile(`panic_line_nested\.go:\d+`)

// Nested panics in a return inside an if, and after a deferred call
// inside an if, both after an await: the lowered code's //line
// directives must name the panicking line.
//
//asyncgo:async
func Nested(kind int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		xs := []int{1}
		aio.Sleep(t, 0)
		if kind == 0 {
			return xs[kind+1], nil
		}
		if kind == 1 {
			defer out.log("deferred")
			xs[kind] = 2
		}
		return 0, nil
	})
}

var _ = register("panic_line_nested", func() {
	for k := range 2 {
		_, err := aio.Run(Nested(k))
		var pe *aio.PanicError
		if errors.As(err, &pe) {
			out.log("%d: %s", k, nestedLine.FindString(string(pe.Stack)))
		}
	}
})
