package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Switch has expression switches with and without tags, fallthrough and
// break.
//
//asyncgo:generator
func Switch() *coro.Generator[string, int, int] {
	return coro.New(func(co *coro.Co[string, int]) int {
		n := 0
		for i := 0; i < 6; i++ {
			switch x := i * 2; x {
			case 0, 2:
				n += co.Yield("small")
			case 4:
				co.Yield("four")
				fallthrough
			case 6:
				co.Yield("six or after four")
			default:
				if x > 8 {
					break
				}
				co.Yield(fmt.Sprint("other ", x))
			}
			switch {
			case i%2 == 0:
				co.Yield("even")
			case i == 5:
				return n
			}
		}
		return -1
	})
}

// TypeSwitch has type switches with a symbol.
//
//asyncgo:generator
func TypeSwitch(vals []any) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
		for _, v := range vals {
			switch x := v.(type) {
			case int:
				co.Yield(fmt.Sprint("int ", x+1))
			case string, []byte:
				co.Yield(fmt.Sprintf("text %T", x))
			case nil:
				co.Yield("nil")
			case error:
				co.Yield("error " + x.Error())
			default:
				co.Yield(fmt.Sprintf("other %v", x))
			}
			switch v.(type) {
			case float64:
				n++
				co.Yield("float")
			}
		}
		return n
	})
}

// Select picks ready channels.
//
//asyncgo:generator
func Select(a, b chan int) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		got := 0
		later := b
		b = nil // one channel ready at a time keeps the trace deterministic
		for got < 4 {
			select {
			case v := <-a:
				co.Yield(fmt.Sprint("a ", v))
				got++
				a, b = nil, later
			case v, ok := <-b:
				if !ok {
					b = nil
					co.Yield("b closed")
					break
				}
				co.Yield(fmt.Sprint("b ", v))
				got++
			default:
				co.Yield("nothing ready")
				return got
			}
		}
		return got
	})
}

// Errs uses errors from the standard library across a switch.
//
//asyncgo:generator
func Errs(errs []error) *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		for i, err := range errs {
			switch {
			case errors.Is(err, io.EOF):
				co.Yield("eof")
			case err == nil:
				co.Yield("nil")
			default:
				co.Yield(err.Error())
				return i
			}
		}
		return len(errs)
	})
}

var _ = register("switch/expr", func(t *trace) { drive(t, Switch(), []any{"n", 1, 2, 3, "n", "n", "n", "n", "n", "n", "n", "n"}) })
var _ = register("switch/type", func(t *trace) {
	all(t, TypeSwitch([]any{1, "s", []byte("b"), nil, io.EOF, 2.5, true}))
})
var _ = register("switch/select", func(t *trace) {
	a, b := make(chan int, 2), make(chan int, 2)
	a <- 1
	b <- 2
	close(b)
	all(t, Select(a, b))
})
var _ = register("switch/errors", func(t *trace) { all(t, Errs([]error{io.EOF, nil, errBoom, nil})) })
