package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Reentrant resumes itself from its own body, which is an error while it
// runs (PEP 255: "generator already executing"), and reports its own
// state from inside (running).
//
//asyncgo:generator
func Reentrant(self **coro.Generator[string, struct{}, int]) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		g := *self
		co.Yield(fmt.Sprint("state inside: ", g.State()))
		_, err := g.Next()
		co.Yield(fmt.Sprint("Next inside: ", err != nil))
		err = g.Close()
		co.Yield(fmt.Sprint("Close inside: ", err != nil))
		return 1
	})
}

var _ = register("pep/reentrant", func(t *trace) {
	var g *coro.Generator[string, struct{}, int]
	g = Reentrant(&g)
	all(t, g)
})
