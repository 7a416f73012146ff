package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Deferred calls in async bodies (Go spec, "Defer statements": arguments
// evaluated at the defer statement, calls run last-in first-out when the
// function returns, also by a panic; a deferred closure may change named
// results) — on return, error, cancellation and panic, with recover.

// Guarded returns by the way mode says: "ok", "error", "panic",
// "cancel" (it sleeps until cancelled); its defers log what they see and
// a deferred closure rewrites the named results.
//
//asyncgo:async
func Guarded(mode string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (n int, err error) {
		l := t.Loop()
		stage := "start"
		defer logf(l, "%s: first defer, stage was %q when deferred", mode, stage)
		defer func() {
			r := recover()
			logf(l, "%s: closure sees n=%d err=%v stage=%q recovered=%v", mode, n, err, stage, r)
			switch {
			case r != nil:
				n, err = -2, fmt.Errorf("recovered: %v", r)
			case errors.Is(err, aio.ErrCancelled):
				n = -3 // still cancelled: err is kept
			case err != nil:
				n, err = -1, nil
			default:
				n *= 2
			}
		}()
		for i := range 3 {
			stage = fmt.Sprint("loop ", i)
			defer logf(l, "%s: loop defer %d", mode, i)
			d := time.Second
			if mode == "cancel" {
				d = time.Hour
			}
			if err := aio.Sleep(t, d); err != nil {
				return i, err
			}
			n += i
			if mode == "panic" && i == 1 {
				var m map[string]int
				m["x"] = 1 // assignment to entry in nil map
			}
		}
		stage = "end"
		if mode == "error" {
			return n, errBoom
		}
		return n + 10, nil
	})
}

// Modes runs Guarded each way and cancels the one that sleeps.
//
//asyncgo:async
func Modes() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := ""
		for _, m := range []string{"ok", "error", "panic"} {
			n, err := aio.Await(t, Guarded(m))
			logf(t.Loop(), "%s -> %d %v", m, n, err)
			s += fmt.Sprint(n, " ")
		}
		h := aio.CreateTask(t, Guarded("cancel"))
		aio.Sleep(t, 90*time.Minute)
		h.Cancel()
		n, err := aio.Await(t, h)
		logf(t.Loop(), "cancel -> %d %v cancelled=%v", n, err, h.Cancelled())
		return s, nil
	})
}

var _ = register("defer_modes_named", func() { run(Modes()) })

// Converter turns its cancellation into a result in a deferred closure:
// the task finishes normally (asyncio: a coroutine that catches
// CancelledError and returns completes its task with that value).
//
//asyncgo:async
func Converter() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (s string, err error) {
		defer func() {
			if errors.Is(err, aio.ErrCancelled) {
				s, err = "converted", nil
			}
		}()
		err = aio.Sleep(t, time.Hour)
		return "slept", err
	})
}

// Reraiser recovers a panic in a defer and panics again with another
// value; an outer deferred recover sees the new one.
//
//asyncgo:async
func Reraiser() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (s string, err error) {
		defer func() {
			r := recover()
			s = fmt.Sprint("outer recovered: ", r)
		}()
		l := t.Loop()
		defer func() {
			r := recover()
			logf(l, "inner recovered %v", r)
			panic(fmt.Sprint("again after ", r))
		}()
		aio.Sleep(t, time.Second)
		panic("first")
	})
}

// DeferUses runs Converter cancelled, Reraiser, and defers evaluated
// with awaited values in a loop.
//
//asyncgo:async
func DeferUses() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		h := aio.CreateTask(t, Converter())
		aio.Sleep(t, time.Second)
		h.Cancel()
		s, err := aio.Await(t, h)
		logf(l, "converter: %q %v cancelled=%v", s, err, h.Cancelled())
		r, err := aio.Await(t, Reraiser())
		logf(l, "reraiser: %q %v", r, err)
		for i := range 3 {
			v, _ := aio.Await(t, Inc(i*10))
			defer logf(l, "deferred in loop with awaited %d", v)
		}
		x := 1
		defer func() { logf(l, "closure sees x=%d", x) }()
		x, _ = aio.Await(t, Inc(x))
		x, _ = aio.Await(t, Inc(x))
		return s, nil
	})
}

var _ = register("defer_convert_reraise", func() { run(DeferUses()) })

// InnerDefers awaits inline a coroutine whose defers log; the inline
// coroutine's defers run before the awaiter's, on panic and on cancel.
//
//asyncgo:async
func InnerDefers(panics bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "inner defers: outer defer")
		v, err := aio.Await(t, Deepest(panics))
		logf(t.Loop(), "inner defers: after await %d %v", v, err)
		return v, err
	})
}

// Deepest sleeps, then panics or returns.
//
//asyncgo:async
func Deepest(panics bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "deepest defer 1")
		defer func() {
			logf(l, "deepest defer 2")
		}()
		if err := aio.Sleep(t, time.Second); err != nil {
			return 0, err
		}
		if panics {
			panic(errBoom)
		}
		return 5, nil
	})
}

// DeferOrder runs InnerDefers to completion, panicking, and cancelled.
//
//asyncgo:async
func DeferOrder() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		for _, p := range []bool{false, true} {
			h := aio.CreateTask(t, InnerDefers(p))
			v, err := aio.Await(t, h)
			var pe *aio.PanicError
			logf(l, "panics=%v: %d %s panicError=%v is boom=%v", p, v, describe(err), errors.As(err, &pe), errors.Is(err, errBoom))
		}
		h := aio.CreateTask(t, InnerDefers(false))
		aio.Sleep(t, 0)
		h.Cancel()
		v, err := aio.Await(t, h)
		logf(l, "cancelled: %d %v", v, err)
		return v, nil
	})
}

var _ = register("defer_inline_order", func() { run(DeferOrder()) })
