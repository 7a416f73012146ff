package rewriteaio

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The functions of tasks.go in direct mode: the same bodies, not
// annotated, so that one run of the benchmarks has both. TestDirectCopies
// checks that each body is its annotated twin's.

// DirectNoop is Noop in direct mode.
func DirectNoop() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return 1, nil
	})
}

// DirectCreateAwait is CreateAwait in direct mode.
func DirectCreateAwait(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, aio.CreateTask(t, DirectNoop()))
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}

// DirectSleep0 is Sleep0 in direct mode.
func DirectSleep0(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		for i := range n {
			if err := aio.Sleep(t, 0); err != nil {
				return i, err
			}
		}
		return n, nil
	})
}

// DirectAwaitInline is AwaitInline in direct mode.
func DirectAwaitInline(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, DirectNoop())
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}

// DirectSleeper is Sleeper in direct mode.
func DirectSleeper(d time.Duration) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, d); err != nil {
			return 0, err
		}
		return 1, nil
	})
}

// DirectPass is Pass in direct mode.
func DirectPass(d int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if d == 0 {
			return aio.Await(t, DirectNoop())
		}
		return aio.Await(t, DirectPass(d-1))
	})
}

// DirectAwaitChain is AwaitChain in direct mode.
func DirectAwaitChain(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for range n {
			v, err := aio.Await(t, DirectPass(2))
			if err != nil {
				return sum, err
			}
			sum += v
		}
		return sum, nil
	})
}
