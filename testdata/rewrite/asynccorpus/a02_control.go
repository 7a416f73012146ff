package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Value sleeps d milliseconds and returns v.
//
//asyncgo:async
func Value[T any](v T, d int) *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		err := aio.Sleep(t, time.Duration(d)*time.Millisecond)
		return v, err
	})
}

// Control awaits in branches, a switch, nested loops with labelled jumps.
//
//asyncgo:async
func Control(limit int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var s string
	outer:
		for i := 0; i < limit; i++ {
			v, _ := aio.Await(t, Value(i, 10))
			switch {
			case v%4 == 0:
				s += "z"
				continue
			case v == 3:
				w, err := aio.Await(t, Value("three", 5))
				if err != nil {
					return "", err
				}
				s += w
			default:
				if x, _ := aio.Await(t, Value(v*10, 0)); x > 50 {
					s += "big"
				} else {
					s += fmt.Sprint(x)
				}
			}
			for j := range 3 {
				if j == 2 {
					continue outer
				}
				if i == 6 {
					break outer
				}
				s += "."
				aio.Sleep(t, 0)
			}
		}
		logf(t.Loop(), "s=%s", s)
		switch n, _ := aio.Await(t, Value(len(s), 1)); {
		case n > 20:
			return "long", nil
		}
		return s, nil
	})
}

var _ = register("control_flow", func() {
	run(Control(9))
	run(Control(2))
})
