package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Generic async functions and methods (Go spec, "Type parameter
// declarations"): values of a type parameter kept across awaits, zero
// values returned on error, generic receivers with pointer and value
// methods, instantiations awaited inside other instantiations.

// MaxOf awaits each producer in turn and returns the largest value; with
// none it fails and returns T's zero value.
//
//asyncgo:async
func MaxOf[T cmp.Ordered](cs ...*aio.Coroutine[T]) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		var best T
		if len(cs) == 0 {
			return best, errors.New("max of nothing")
		}
		for i, c := range cs {
			v, err := aio.Await(t, c)
			if err != nil {
				var zero T
				return zero, fmt.Errorf("producer %d: %w", i, err)
			}
			if i == 0 || v > best {
				best = v
			}
		}
		return best, nil
	})
}

// After returns v after d milliseconds.
//
//asyncgo:async
func After[T any](v T, d int) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		if err := aio.Sleep(t, time.Duration(d)*time.Millisecond); err != nil {
			var zero T
			return zero, err
		}
		return v, nil
	})
}

// Generics awaits MaxOf at several instantiations, nested.
//
//asyncgo:async
func Generics() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		n, err := aio.Await(t, MaxOf(After(3, 5), After(9, 1), After(4, 2)))
		logf(t.Loop(), "ints %d %v", n, err)
		s, err := aio.Await(t, MaxOf(After("pear", 1), After("apple", 1)))
		logf(t.Loop(), "strings %q %v", s, err)
		f, err := aio.Await(t, MaxOf[float64]())
		logf(t.Loop(), "none %v %v", f, err)
		nested, err := aio.Await(t, MaxOf(MaxOf(After(1, 1), After(2, 1)), After(0, 1)))
		logf(t.Loop(), "nested %d %v", nested, err)
		failing, err := aio.Await(t, MaxOf(After(7, 1), Fails[int]()))
		logf(t.Loop(), "failing %d %v", failing, err)
		return fmt.Sprint(n, s, f, nested), nil
	})
}

// Fails fails after a turn.
//
//asyncgo:async
func Fails[T any]() *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		var zero T
		aio.Sleep(t, 0)
		return zero, errBoom
	})
}

var _ = register("generic_functions", func() { run(Generics()) })

// Stack is a generic stack whose async methods wait before acting.
type Stack[T any] struct {
	items []T
	name  string
}

// Push appends v after a turn and returns the new size.
//
//asyncgo:async
func (s *Stack[T]) Push(v T) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, 0)
		s.items = append(s.items, v)
		return len(s.items), nil
	})
}

// Pop removes and returns the top after a millisecond.
//
//asyncgo:async
func (s *Stack[T]) Pop() *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		err := aio.Sleep(t, time.Millisecond)
		var top T
		if err != nil {
			return top, err
		}
		if len(s.items) == 0 {
			return top, fmt.Errorf("%s: empty", s.name)
		}
		top, s.items = s.items[len(s.items)-1], s.items[:len(s.items)-1]
		return top, nil
	})
}

// Snapshot has a value receiver: it sees a copy made at the call.
//
//asyncgo:async
func (s Stack[T]) Snapshot() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		aio.Sleep(t, 0)
		return fmt.Sprint(s.name, s.items), nil
	})
}

// Drain pops every item of a stack of any type, formatting each with f.
//
//asyncgo:async
func Drain[T any](s *Stack[T], f func(T) string) *aio.Coroutine[[]string] {
	return aio.Async(func(t *aio.Task) ([]string, error) {
		var out []string
		for {
			v, err := aio.Await(t, s.Pop())
			if err != nil {
				return out, err
			}
			out = append(out, f(v))
		}
	})
}

// Stacks pushes concurrently, snapshots and drains.
//
//asyncgo:async
func Stacks() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		ints := &Stack[int]{name: "ints"}
		words := &Stack[string]{name: "words"}
		var hs []*aio.Handle[int]
		for i := range 3 {
			hs = append(hs, aio.CreateTask(t, ints.Push(i*i)))
			hs = append(hs, aio.CreateTask(t, words.Push(strings.Repeat("w", i+1))))
		}
		snap := ints.Snapshot() // copies the stack now: empty
		for _, h := range hs {
			aio.Await(t, h)
		}
		s1, _ := aio.Await(t, snap)
		s2, _ := aio.Await(t, ints.Snapshot())
		logf(t.Loop(), "snapshots %s / %s", s1, s2)
		a, err := aio.Await(t, Drain(ints, func(v int) string { return fmt.Sprint(v) }))
		logf(t.Loop(), "drained %v %v", a, err)
		b, err := aio.Await(t, Drain(words, strings.ToUpper))
		slices.Reverse(b)
		return fmt.Sprint(a, b, err), nil
	})
}

var _ = register("generic_methods", func() { run(Stacks()) })

// Pair has two type parameters; its method awaits both halves.
type Pair[K, V any] struct {
	k K
	v V
}

// Swap awaits the halves in the other order.
//
//asyncgo:async
func (p Pair[K, V]) Swap() *aio.Coroutine[Pair[V, K]] {
	return aio.Async(func(t *aio.Task) (Pair[V, K], error) {
		v, err := aio.Await(t, After(p.v, 2))
		if err != nil {
			return Pair[V, K]{}, err
		}
		k, err := aio.Await(t, After(p.k, 1))
		return Pair[V, K]{v, k}, err
	})
}

// Index builds a map by awaiting generic coroutines in a range over a map's
// sorted keys.
//
//asyncgo:async
func Index[K cmp.Ordered, V any](m map[K]V) *aio.Coroutine[[]Pair[V, K]] {
	return aio.Async(func(t *aio.Task) ([]Pair[V, K], error) {
		keys := make([]K, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var out []Pair[V, K]
		for _, k := range keys {
			sw, err := aio.Await(t, Pair[K, V]{k, m[k]}.Swap())
			if err != nil {
				return nil, err
			}
			out = append(out, sw)
		}
		return out, nil
	})
}

var _ = register("generic_two_params", func() {
	run(Index(map[string]int{"b": 2, "a": 1, "c": 3}))
	run(Index(map[int][]string{2: {"x"}, 1: nil}))
})
