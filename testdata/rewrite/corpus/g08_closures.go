package main

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Closures captures locals by reference across suspensions, and per
// iteration in loops.
//
//asyncgo:generator
func Closures() *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		count := 0
		inc := func() { count++ }
		var fs []func() string
		for i := 0; i < 3; i++ {
			x := i * 10
			fs = append(fs, func() string { return fmt.Sprint(i, x) })
			inc()
			co.Yield(fmt.Sprint("count ", count))
		}
		for _, f := range fs {
			co.Yield(f())
		}
		p := &count
		*p += 100
		co.Yield(fmt.Sprint(count))
		return count
	})
}

// PointerMethods calls pointer methods on hoisted values.
//
//asyncgo:generator
func PointerMethods() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		var c counter
		for range 3 {
			c.inc()
			co.Yield(c.n)
		}
		arr := [3]int{3, 1, 2}
		s := arr[:]
		slices.Sort(s)
		co.Yield(arr[0])
		return c.n
	})
}

type counter struct{ n int }

func (c *counter) inc() { c.n++ }

// Max is generic.
//
//asyncgo:generator
func Max[T cmp.Ordered](xs ...T) *coro.Generator[T, struct{}, T] {
	return coro.New(func(co *coro.Co[T, struct{}]) T {
		var best T
		for i, x := range xs {
			if i == 0 || x > best {
				best = x
				co.Yield(best)
			}
		}
		return best
	})
}

// Pair is a generic type with a generator method.
type Pair[K comparable, V any] struct {
	K K
	V V
}

// Each yields both halves.
//
//asyncgo:generator
func (p *Pair[K, V]) Each() *coro.Generator[any, struct{}, string] {
	return coro.New(func(co *coro.Co[any, struct{}]) string {
		co.Yield(p.K)
		co.Yield(p.V)
		return fmt.Sprint(p.K, "=", p.V)
	})
}

// Stack is a value receiver.
type Stack []int

// Pop yields the elements from the top.
//
//asyncgo:generator
func (s Stack) Pop() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for len(s) > 0 {
			top := s[len(s)-1]
			s = s[:len(s)-1]
			co.Yield(top)
		}
		return len(s)
	})
}

var _ = register("closures/capture", func(t *trace) { all(t, Closures()) })
var _ = register("closures/pointer-methods", func(t *trace) { all(t, PointerMethods()) })
var _ = register("generics/max-int", func(t *trace) { all(t, Max(3, 1, 4, 1, 5)) })
var _ = register("generics/max-string", func(t *trace) { all(t, Max("b", "a", "c")) })
var _ = register("generics/method", func(t *trace) { all(t, (&Pair[string, int]{"k", 2}).Each()) })
var _ = register("methods/value", func(t *trace) { all(t, Stack{1, 2, 3}.Pop()) })
