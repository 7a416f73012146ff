package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// LocalTypes declares types in blocks without suspensions, with closures
// over variables that live across suspensions, and a struct of an
// unnamed type across a suspension.
//
//asyncgo:generator
func LocalTypes() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		x := 0
		pt := struct {
			X, Y int
			tag  string
		}{1, 2, "p"}
		co.Yield(fmt.Sprint(pt))
		{
			type T struct{ v int }
			f := func() T { x++; return T{x} }
			_ = f()
		}
		co.Yield(fmt.Sprint("x ", x))
		for i := range 2 {
			type pair [2]int
			p := pair{i, x}
			x += p[0] + p[1]
		}
		pt.tag += "!"
		co.Yield(fmt.Sprint("x ", x, pt.tag))
		var anon []struct{ n int }
		anon = append(anon, struct{ n int }{x})
		co.Yield(fmt.Sprint(anon))
		return fmt.Sprint(pt.X + pt.Y)
	})
}

var _ = register("names/local-types", func(t *trace) { all(t, LocalTypes()) })
