//go:build asyncgo_direct

// Package rewriteaio benchmarks async functions lowered by asyncgo
// rewrite against the same functions in direct mode, CPython's asyncio
// and plain goroutines. tasks_asyncgo.go is generated: run `go generate`
// after changing tasks.go.
package rewriteaio

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

//go:generate go run ../../cmd/asyncgo rewrite -w .

// Noop returns at once: the coroutine each task of CreateAwait runs.
//
//asyncgo:async
func Noop() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return 1, nil
	})
}

// CreateAwait creates a task of Noop and awaits it, n times: asyncio's
// `await asyncio.create_task(noop())`.
//
//asyncgo:async
func CreateAwait(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, aio.CreateTask(t, Noop()))
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}

// Sleep0 yields the loop n times: asyncio's `await asyncio.sleep(0)`.
//
//asyncgo:async
func Sleep0(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		for i := range n {
			if err := aio.Sleep(t, 0); err != nil {
				return i, err
			}
		}
		return n, nil
	})
}

// AwaitInline awaits Noop n times: awaiting a coroutine runs it in the
// awaiting task (asyncio's `await noop()`), with no task of its own.
//
//asyncgo:async
func AwaitInline(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, Noop())
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}

// Sleeper sleeps d: the body of each of the many tasks the memory
// benchmarks hold suspended at once.
//
//asyncgo:async
func Sleeper(d time.Duration) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, d); err != nil {
			return 0, err
		}
		return 1, nil
	})
}

// Pass awaits Noop and passes its value on: one link of AwaitChain.
//
//asyncgo:async
func Pass(d int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if d == 0 {
			return aio.Await(t, Noop())
		}
		return aio.Await(t, Pass(d-1))
	})
}

// AwaitChain awaits a chain of 3 awaits (Pass(2), Pass(1), Pass(0),
// Noop) n times: asyncio's `await pass_(2)` where each level awaits the
// next.
//
//asyncgo:async
func AwaitChain(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, Pass(2))
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}
