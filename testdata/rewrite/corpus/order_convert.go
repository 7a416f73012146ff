package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ConvertBefore converts a string to []byte before the suspension.
//
//asyncgo:generator
func ConvertBefore(s string) *coro.Generator[string, int, string] {
	return coro.New(func(co *coro.Co[string, int]) string {
		b := []byte(s)
		r := fmt.Sprint(len([]rune(s)), string(b[:1])+fmt.Sprint(co.Yield("conv")))
		return r
	})
}

var _ = register("order/convert", func(t *trace) { drive(t, ConvertBefore("héllo"), []any{"n", 7, "n"}) })
