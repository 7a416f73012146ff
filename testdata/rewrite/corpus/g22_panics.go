package main

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// withAny is a comparable struct whose comparison panics when its field
// holds an uncomparable value (the spec, "Comparison operators").
type withAny struct{ a any }

// CompareStructs compares structs, arrays and type parameters holding
// uncomparable values after a yield: the panic ends the generator with an
// error in both modes (Resume never panics).
//
//asyncgo:generator
func CompareStructs(a, b withAny) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		if a == b {
			co.Yield(2)
		}
		return 3
	})
}

// CompareArrays is CompareStructs for arrays.
//
//asyncgo:generator
func CompareArrays(a, b [1]any) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		if a != b {
			co.Yield(2)
		}
		return 3
	})
}

// CompareParams is CompareStructs for a type parameter.
//
//asyncgo:generator
func CompareParams[T comparable](a, b T) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		switch a {
		case b:
			co.Yield(2)
		}
		return 3
	})
}

type flag bool

func (t *trace) set(f flag)   { t.log("set %v", f) }
func (t *trace) wide(n int64) { t.log("wide %d", n) }
func reportTo[T any](t *trace, x T) {
	t.log("report %v", x)
}
func (t *trace) handler() { t.log("handler recovered %v", recover()) }

// Recovers recovers the panic in every way Go allows, and in ways Go does
// not stop it (recover not called directly by the deferred function);
// deferred calls keep their arguments' types (the spec, "Defer
// statements", "Handling panics").
//
//asyncgo:generator
func Recovers(t *trace, mode int) *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) (res string) {
		n := 3
		defer t.set(n > 1)
		defer t.wide(1 << n)
		defer reportTo(t, n)
		switch mode {
		case 0:
			h := func() { t.log("h recovered %v", recover()) }
			defer h()
		case 1:
			defer (func() { t.log("paren recovered %v", recover()) })()
		case 2:
			defer func() { t.log("ident recovered %v", (recover)()) }()
		case 3:
			defer t.handler()
		case 4:
			defer co.Raise(errors.New("raised in defer"))
		case 5:
			defer func() { res = fmt.Sprint("named ", recover()) }()
		case 6:
			defer func() {
				func() { t.log("nested literal recovered %v", recover()) }()
			}()
		case 7:
			defer recover()
		}
		co.Yield(1)
		panic("boom")
	})
}

// Exits calls runtime.Goexit: the body's defers run, then the goroutine
// that resumed it exits.
//
//asyncgo:generator
func Exits(t *trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		defer t.log("deferred before Goexit")
		co.Yield(1)
		runtime.Goexit()
		return 3
	})
}

// Dropped is dropped while suspended: it is closed when collected.
//
//asyncgo:generator
func Dropped(closed chan<- string) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		defer func() { closed <- fmt.Sprint("closed with ", recover() != nil) }()
		co.Yield(1)
		co.Yield(2)
		return 3
	})
}

var _ = register("panics/compare-structs", func(t *trace) {
	drive(t, CompareStructs(withAny{[]int{}}, withAny{[]int{}}), []any{"n", "n", "n"})
})
var _ = register("panics/compare-arrays", func(t *trace) {
	drive(t, CompareArrays([1]any{[]int{}}, [1]any{[]int{}}), []any{"n", "n", "n"})
})
var _ = register("panics/compare-params", func(t *trace) {
	drive(t, CompareParams[any]([]int{}, []int{}), []any{"n", "n", "n"})
})

func init() {
	for mode := 0; mode <= 7; mode++ {
		register(fmt.Sprint("panics/recover-", mode), func(t *trace) { drive(t, Recovers(t, mode), []any{"n", "n", "n"}) })
	}
}

var _ = register("panics/goexit", func(t *trace) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		drive(t, Exits(t), []any{"n", "n", "n"})
	}()
	<-done
	t.log("resuming goroutine exited")
})

var _ = register("panics/dropped", func(t *trace) {
	closed := make(chan string, 1)
	func() {
		g := Dropped(closed)
		y, err := g.Next()
		t.log("next -> %v %v", y, err)
	}()
	awaitClosed(t, "panics/dropped", closed)
})
