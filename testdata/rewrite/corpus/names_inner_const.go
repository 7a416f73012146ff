package main

import "github.com/asyncgo/asyncgo/runtime/coro"

// InnerConst declares a constant in an inner block that shadows the outer
// one, and the same name again in a sibling block: each use sees the
// innermost declaration in scope (Go spec, Declarations and scope).
//
//asyncgo:generator
func InnerConst() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		const k = 1
		{
			const k = 2
			co.Yield(k)
		}
		if true {
			const k = 3
			co.Yield(k * 10)
		}
		for i := range 2 {
			const k = "four"
			co.Yield(len(k) + i)
		}
		co.Yield(k)
		return k
	})
}

var _ = register("names/inner-const", func(t *trace) { all(t, InnerConst()) })
