package main

import (
	"errors"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Deferred runs defers on return and on error; a deferred closure changes
// the named results.
//
//asyncgo:async
func Deferred(fail bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (n int, err error) {
		l := t.Loop()
		defer logf(l, "deferred 1 n=%d", n)
		defer func() {
			logf(l, "deferred 2 n=%d err=%v", n, err)
			if err != nil {
				n = -1
				err = errors.Join(err, errors.New("wrapped"))
			}
		}()
		for i := range 3 {
			defer logf(l, "loop defer %d", i)
			if err := aio.Sleep(t, time.Second); err != nil {
				return 0, err
			}
			n += i
		}
		if fail {
			return n, errBoom
		}
		return n * 10, nil
	})
}

// DeferAwait defers a call whose argument is awaited at the defer
// statement.
//
//asyncgo:async
func DeferAwait() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		v, _ := aio.Await(t, Value("x", 3))
		defer logf(l, "deferred with %v", v)
		w, err := aio.Await(t, Value("y", 3))
		return v + w, err
	})
}

var _ = register("defer_return_error", func() {
	run(Deferred(false))
	run(Deferred(true))
	run(DeferAwait())
})
