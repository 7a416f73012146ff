package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type vsPoint struct {
	X  int
	Ys [2]int
}

// ValueSemantics copies structs and arrays across suspensions (copies are
// independent), yields a pointer to a local that the caller writes
// through, and does arithmetic that wraps in a small unsigned type.
//
//asyncgo:generator
func ValueSemantics() *coro.Generator[*int, int, string] {
	return coro.New(func(co *coro.Co[*int, int]) string {
		a := vsPoint{1, [2]int{2, 3}}
		b := a
		arr := [3]int{1, 2, 3}
		arr2 := arr
		local := 5
		sent := co.Yield(&local)
		b.X = 10
		b.Ys[0] = 20
		arr2[1] = 99
		var u uint8 = 250
		u += uint8(sent)
		s := ""
		for i := range 3 {
			s += fmt.Sprint(i)
			co.Yield(nil)
		}
		return fmt.Sprint(a, b, arr, arr2, "local ", local, " u ", u, " s ", s)
	})
}

var _ = register("values/semantics", func(t *trace) {
	g := ValueSemantics()
	p, _ := g.Next()
	*p = 77
	drive(t, g, []any{10, "n", "n", "n"})
})
