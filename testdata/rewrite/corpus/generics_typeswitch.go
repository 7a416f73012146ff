package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Classify type-switches on values against its type parameter across
// suspensions, and converts between type parameters.
//
//asyncgo:generator
func Classify[T any, N ~int | ~int64](vals []any, scale N) *coro.Generator[string, struct{}, N] {
	return coro.New(func(co *coro.Co[string, struct{}]) N {
		var sum N
		for _, v := range vals {
			switch x := v.(type) {
			case T:
				co.Yield(fmt.Sprintf("T %v", x))
			case N:
				sum += x * scale
				co.Yield(fmt.Sprint("N ", x))
			case nil:
				co.Yield("nil")
			default:
				co.Yield(fmt.Sprintf("other %T", x))
			}
		}
		return sum
	})
}

var _ = register("generics/type-switch", func(t *trace) {
	all(t, Classify[string]([]any{"a", 3, nil, 2.5, 4}, 10))
	all(t, Classify[float64, int64]([]any{int64(2), 1.5, "s"}, 3))
})
