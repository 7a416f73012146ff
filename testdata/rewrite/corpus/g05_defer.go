package main

import (
	"errors"
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Defers registers defers at several levels; they run LIFO on return,
// throw, close and panic.
//
//asyncgo:generator
func Defers(t *trace, panicAt int) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) string {
		defer t.log("defer outer")
		for i := 0; i < 3; i++ {
			defer t.log("defer in loop", i)
			if i == panicAt {
				panic(fmt.Sprint("panic at ", i))
			}
			co.Yield(i)
		}
		if panicAt < 0 {
			defer func() { t.log("defer literal") }()
		}
		return "done"
	})
}

// Recovering recovers panics, throws and close in a deferred literal and
// returns through its named result.
//
//asyncgo:generator
func Recovering(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (res string) {
		defer func() {
			if r := recover(); r != nil {
				t.log("recovered %v", r != nil)
				res = "recovered"
			}
		}()
		res = "normal"
		co.Yield(1)
		co.Yield(2)
		panic("bang")
	})
}

// NamedResult changes its named result in a defer.
//
//asyncgo:generator
func NamedResult() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) (total int) {
		defer func() { total *= 10 }()
		for {
			v := co.Yield(total)
			if v == 0 {
				return
			}
			total += v
		}
	})
}

// DeferArgs evaluates deferred arguments at the defer statement.
//
//asyncgo:generator
func DeferArgs(t *trace) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		x := 1
		defer t.log("x at defer %d", x)
		defer func(v int) { t.log("param %d, x now %d", v, x) }(x)
		x = 2
		co.Yield(x)
		x = 3
		return x
	})
}

// PanicInDefer replaces a panic with another in a deferred call.
//
//asyncgo:generator
func PanicInDefer(t *trace) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		defer t.log("last defer sees the end")
		defer func() { panic("second") }()
		co.Yield(1)
		panic("first")
	})
}

// RecoverNil checks recover outside a panic.
//
//asyncgo:generator
func RecoverNil(t *trace) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		defer func() { t.log("recover without panic: %v", recover()) }()
		co.Yield(1)
		return 7
	})
}

// Raise ends the body with an error.
//
//asyncgo:generator
func Raise(t *trace) *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		defer t.log("raise unwinds")
		for i := 0; ; i++ {
			if i == 2 {
				co.Raise(errors.New("raised"))
			}
			co.Yield(i)
		}
	})
}

// CatchExit recovers the generator exit on Close and returns.
//
//asyncgo:generator
func CatchExit(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (s string) {
		defer func() {
			if r := recover(); r != nil {
				s = "caught exit"
			}
		}()
		co.Yield(1)
		return "end"
	})
}

var _ = register("defer/return", func(t *trace) { all(t, Defers(t, -1)) })
var _ = register("defer/throw", func(t *trace) { drive(t, Defers(t, -1), []any{"n", "n", "t"}) })
var _ = register("defer/close", func(t *trace) { drive(t, Defers(t, -1), []any{"n", "n", "c", "c"}) })
var _ = register("defer/panic", func(t *trace) { drive(t, Defers(t, 1), []any{"n", "n", "n"}) })
var _ = register("defer/recover-panic", func(t *trace) { all(t, Recovering(t)) })
var _ = register("defer/recover-throw", func(t *trace) { drive(t, Recovering(t), []any{"n", "t"}) })
var _ = register("defer/recover-close", func(t *trace) { drive(t, Recovering(t), []any{"n", "c"}) })
var _ = register("defer/named", func(t *trace) { drive(t, NamedResult(), []any{"n", 1, 2, 0}) })
var _ = register("defer/named-close", func(t *trace) { drive(t, NamedResult(), []any{"n", 1, "c"}) })
var _ = register("defer/args", func(t *trace) { all(t, DeferArgs(t)) })
var _ = register("defer/panic-in-defer", func(t *trace) { all(t, PanicInDefer(t)) })
var _ = register("defer/recover-nil", func(t *trace) { all(t, RecoverNil(t)) })
var _ = register("defer/raise", func(t *trace) { all(t, Raise(t)) })
var _ = register("defer/catch-exit", func(t *trace) { drive(t, CatchExit(t), []any{"n", "c", "n"}) })
