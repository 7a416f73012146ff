// The constraint keeps this file's lines where they are when the rewriter
// adds its own (it combines them on one line): the test compares them.

//go:build go1.22

package main

import (
	"errors"
	"regexp"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// panicLine is the line of g25_lines.go at which the panic that ended a
// generator was raised, read from its stack: //line directives must map
// the lowered code there.
func panicLine(err error) string {
	var pe *coro.PanicError
	if !errors.As(err, &pe) {
		return "no panic"
	}
	s := string(pe.Stack)
	i := regexp.MustCompile(`\npanic\(`).FindStringIndex(s)
	if i == nil {
		return "no panic frame"
	}
	m := regexp.MustCompile(`g25_lines\.go:(\d+)`).FindStringSubmatch(s[i[1]:])
	if m == nil {
		return "no frame in g25_lines.go"
	}
	return "line " + m[1]
}

// PanicInCond panics in the condition of a loop that suspends.
//
//asyncgo:generator
func PanicInCond(xs []int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		i := 0
		for xs[i] > 0 {
			co.Yield(xs[i])
			i++
		}
		return i
	})
}

// PanicInPost panics in the post statement of a loop that suspends.
//
//asyncgo:generator
func PanicInPost(xs []int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		n := 0
		for i := 0; i < 10; n += xs[i] {
			co.Yield(i)
			i++
		}
		return n
	})
}

var _ = register("lines/cond", func(t *trace) {
	g := PanicInCond([]int{1, 2})
	for {
		if _, err := g.Next(); err != nil {
			t.log("%s", panicLine(err))
			break
		}
	}
})
var _ = register("lines/post", func(t *trace) {
	g := PanicInPost([]int{1, 2})
	for {
		if _, err := g.Next(); err != nil {
			t.log("%s", panicLine(err))
			break
		}
	}
})
