package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Add sleeps, then returns the sum of its arguments.
//
//asyncgo:async
func Add(a, b int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		logf(t.Loop(), "add %d %d", a, b)
		if err := aio.Sleep(t, time.Second); err != nil {
			return 0, err
		}
		return a + b, nil
	})
}

// Chain awaits Add three times (a lowered coroutine awaited inline).
//
//asyncgo:async
func Chain() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		total := 0
		for i := range 3 {
			n, err := aio.Await(t, Add(total, i))
			if err != nil {
				return 0, err
			}
			total = n
			logf(t.Loop(), "total %d", total)
		}
		return total, nil
	})
}

var _ = register("basic_chain", func() { run(Chain()) })
