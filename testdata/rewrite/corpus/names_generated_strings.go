package main

import (
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// GeneratedLooking yields strings that look like the names the rewriter
// generates, in literals, raw strings, runes and comments; none of them
// is code, so each must come out as written.
//
//asyncgo:generator
func GeneratedLooking(x string) *coro.Generator[string, string, string] {
	return coro.New(func(co *coro.Co[string, string]) string {
		s := co.Yield("_agP1_" + x)
		s += co.Yield(`_agSent _agThrown _agY _agR _agErr _agm`)
		s += co.Yield(string([]rune{'_', 'a', 'g'}) + "P0_")
		// _agF0 in a comment is a comment.
		s += co.Yield(fmt.Sprintf("%s_%d_", "_agL", 3))
		s += co.Yield(strings.Repeat("_ag", 2) + "Resume")
		return s
	})
}

var _ = register("names/generated-strings", func(t *trace) {
	drive(t, GeneratedLooking("x"), []any{"n", "a", "b", "c", "d", "e", "n"})
})
