package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Panicker panics after an await; its defers run first.
//
//asyncgo:async
func Panicker(at int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "panicker deferred")
		var xs []int
		for i := 0; i < 3; i++ {
			aio.Sleep(t, time.Second)
			if i == at {
				return xs[i], nil // index out of range
			}
			xs = append(xs, i)
		}
		panic(fmt.Sprintf("explicit %d", len(xs)))
	})
}

// Recoverer awaits a panicking lowered coroutine inline and recovers in a
// deferred function.
//
//asyncgo:async
func Recoverer(at int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (s string, err error) {
		defer func() {
			if v := recover(); v != nil {
				s, err = fmt.Sprint("recovered: ", v), nil
			}
		}()
		n, err := aio.Await(t, Panicker(at))
		return fmt.Sprint(n), err
	})
}

// PanicInDefer panics in a deferred call after returning.
//
//asyncgo:async
func PanicInDefer() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "outer defer runs")
		defer func() { panic("from defer") }()
		aio.Sleep(t, 0)
		return 7, nil
	})
}

var _ = register("panics", func() {
	run(Panicker(1))
	run(Panicker(5))
	run(Recoverer(0))
	run(Recoverer(9))
	run(PanicInDefer())
})
