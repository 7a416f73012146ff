package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// BlankTypeParam has a type parameter named _ beside a used one.
//
//asyncgo:generator
func BlankTypeParam[_ any, T fmt.Stringer](xs ...T) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		for _, x := range xs {
			co.Yield(x.String())
		}
		return len(xs)
	})
}

type blankName string

func (b blankName) String() string { return "<" + string(b) + ">" }

var _ = register("names/blank-type-param", func(t *trace) { all(t, BlankTypeParam[int](blankName("a"), blankName("b"))) })
