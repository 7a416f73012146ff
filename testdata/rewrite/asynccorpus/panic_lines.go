// The constraint keeps this file's lines where they are when the rewriter
// adds its own (it combines them on one line): the test compares them.

//go:build go1.22

package main

import (
	"errors"
	"regexp"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The line a panic reports: the lowered body's //line directives map the
// generated code back to the source, so a *PanicError's stack names the
// same file and line in both modes (the frames around it differ).

// panicLine is the first frame of this file in a *PanicError's stack.
var panicLine = regexp.MustCompile(`panic_lines\.go:\d+`)

// LinePanics panics on the line that kind says, after awaits.
//
//asyncgo:async
func LinePanics(kind int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		xs := []int{1, 2}
		for i := range 3 {
			aio.Sleep(t, time.Millisecond)
			if kind == i {
				return xs[kind+1], nil
			}
		}
		var m map[int]int
		v, _ := aio.Await(t, Quick(kind))
		m[v] = 1
		return 0, nil
	})
}

// Lines awaits each panic as a task and reports its line.
//
//asyncgo:async
func Lines() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := ""
		for k := range 4 {
			_, err := aio.Await(t, aio.CreateTask(t, LinePanics(k)))
			var pe *aio.PanicError
			if errors.As(err, &pe) {
				s += panicLine.FindString(string(pe.Stack)) + " "
			}
		}
		return s, nil
	})
}

var _ = register("panic_lines", func() { run(Lines()) })
