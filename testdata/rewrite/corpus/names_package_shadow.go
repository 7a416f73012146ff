package main

import (
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// PackageShadow declares locals named like imported packages and
// predeclared identifiers (fmt, strings, len, panic, error, coro) across
// suspensions; the generated code must not be confused by them.
//
//asyncgo:generator
func PackageShadow(t *trace) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		out := strings.ToUpper("start")
		co.Yield(out)
		{
			strings := []string{"a", "b"}
			len := co.Yield(fmt.Sprint(strings))
			co.Yield(fmt.Sprint("len is ", len))
		}
		{
			fmt := "fmt shadowed"
			co.Yield(fmt)
		}
		{
			panic := func(v any) { t.log("local panic %v", v) }
			coro := 3
			co.Yield(fmt.Sprint("coro ", coro))
			panic("not the builtin")
		}
		error := "an error string"
		co.Yield(error)
		return out
	})
}

var _ = register("names/package-shadow", func(t *trace) { drive(t, PackageShadow(t), []any{"n", 0, 42, 0, 0, 0, "n"}) })
