package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Parameters and results of async functions: a parameter named t beside
// a task named otherwise, a blank task, variadic parameters changed
// across awaits, parameters captured by closures, bare returns of named
// results, bodies that never suspend.

// Scaled has a parameter named t; its task is tk.
//
//asyncgo:async
func Scaled(t int, parts ...string) *aio.Coroutine[string] {
	return aio.Async(func(tk *aio.Task) (string, error) {
		for i := range parts {
			aio.Sleep(tk, time.Duration(t)*time.Millisecond)
			parts[i] = strings.Repeat(parts[i], t)
		}
		t++
		return fmt.Sprint(t, parts), nil
	})
}

// Blank never suspends: its task parameter is blank.
//
//asyncgo:async
func Blank(v int) *aio.Coroutine[int] {
	return aio.Async(func(_ *aio.Task) (int, error) {
		if v < 0 {
			return 0, fmt.Errorf("negative %d", v)
		}
		return v * 3, nil
	})
}

// Bare returns its named results with bare returns after awaits; a
// closure over a parameter sees its changes.
//
//asyncgo:async
func Bare(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (total int, err error) {
		get := func() int { return n }
		for n > 0 {
			var v int
			v, err = aio.Await(t, Blank(n))
			if err != nil {
				return
			}
			total += v
			n--
			if get() == 2 {
				total, err = aio.Await(t, Blank(total+1000))
				return
			}
		}
		err = aio.Sleep(t, time.Second)
		return
	})
}

// Params runs them.
//
//asyncgo:async
func Params() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		words := []string{"a", "b"}
		s, _ := aio.Await(t, Scaled(3, words...))
		logf(t.Loop(), "scaled %s, caller's slice %v", s, words)
		s2, _ := aio.Await(t, Scaled(2))
		b, err := aio.Await(t, Blank(-1))
		logf(t.Loop(), "blank %d %v", b, err)
		r1, err1 := aio.Await(t, Bare(5))
		r2, err2 := aio.Await(t, Bare(1))
		r3, err3 := aio.Await(t, Bare(0))
		return fmt.Sprint(s2, " ", r1, err1, " ", r2, err2, " ", r3, err3), nil
	})
}

var _ = register("names_params_results", func() { run(Params()) })

// Middle awaits Faulty inline and recovers its panic in a deferred
// closure; the recovered body returns, and its awaiter carries on
// awaiting.
//
//asyncgo:async
func Middle(kind string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (n int, err error) {
		l := t.Loop() // t itself may not be used in a function literal
		defer func() {
			if r := recover(); r != nil {
				logf(l, "middle recovered: %v", r)
				n = -1
			}
		}()
		return aio.Await(t, Faulty(kind))
	})
}

// Outer awaits Middle twice and sleeps between.
//
//asyncgo:async
func Outer() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		defer logf(t.Loop(), "outer deferred")
		a, errA := aio.Await(t, Middle("nil"))
		aio.Sleep(t, time.Second)
		b, errB := aio.Await(t, Middle("none"))
		c, errC := aio.Await(t, Middle("index"))
		return fmt.Sprint(a, errA, b, errB, c, errC), nil
	})
}

var _ = register("chain_middle_recovers", func() { run(Outer()) })
