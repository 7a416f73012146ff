package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// LoopVarClosures captures the per-iteration variables of each loop form
// (Go 1.22) in closures that run after later suspensions.
//
//asyncgo:generator
func LoopVarClosures() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var fs []func() int
		for i := 0; i < 3; i++ {
			fs = append(fs, func() int { return i })
			co.Yield(fmt.Sprint("three-clause ", i))
			i += 0
		}
		for i := range 2 {
			fs = append(fs, func() int { return i * 10 })
			co.Yield("range int")
		}
		for _, s := range []string{"ab", "c"} {
			fs = append(fs, func() int { return len(s) * 100 })
			co.Yield(s)
		}
		for i := 0; i < 2; i++ {
			p := &i
			co.Yield("pointer")
			*p += 0
			fs = append(fs, func() int { return *p + 1000 })
		}
		var got []int
		for _, f := range fs {
			got = append(got, f())
		}
		return fmt.Sprint(got)
	})
}

var _ = register("names/loopvar", func(t *trace) { all(t, LoopVarClosures()) })
