package main

import "github.com/asyncgo/asyncgo/runtime/aio"

// StepLocal keeps a local named Step across an await: the machine's
// method is named Step too.
//
//asyncgo:async
func StepLocal() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		Step := 2
		aio.Sleep(t, 0)
		return Step, nil
	})
}

var _ = register("names_step_local", func() { run(StepLocal()) })
