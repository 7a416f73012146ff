package main

import (
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// TypeParamShadow declares locals named like its type parameter and like
// an imported package, and a type inside a block without suspensions.
//
//asyncgo:generator
func TypeParamShadow[T any](x T) *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var keep T = x
		{
			T := "a local named T"
			co.Yield(T)
		}
		for i := range 2 {
			strings := fmt.Sprint(i)
			co.Yield(strings)
		}
		{
			type pair struct{ a, b int }
			p := pair{1, 2}
			keep2 := fmt.Sprint(p)
			_ = keep2
		}
		co.Yield(strings.ToUpper("done"))
		return fmt.Sprint(keep)
	})
}

var _ = register("generics/shadow", func(t *trace) { all(t, TypeParamShadow(42)) })
