package main

import "github.com/asyncgo/asyncgo/runtime/aio"

// DirectPartial is a direct coroutine returning a value with its error.
func DirectPartial() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, 0)
		return 7, errBoom
	})
}

// AwaitPartial awaits it: Await of a coroutine returns the body's two
// results as they are (direct mode runs the body inside the task), so the
// value comes back beside the error.
//
//asyncgo:async
func AwaitPartial() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		n, err := aio.Await(t, DirectPartial())
		logf(t.Loop(), "got %d %v", n, err)
		return n, nil
	})
}

var _ = register("chain_direct_result_with_error", func() { run(AwaitPartial()) })
