package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Await chains (PEP 492: `await coro` runs coro in the awaiting task and
// its return value is the await's value; an exception raised inside goes
// up through every await): lowered → lowered → direct → lowered, and
// recursion.

// Leaf sleeps d and returns v; it fails with errLeaf when v is negative.
//
//asyncgo:async
func Leaf(v int, d time.Duration) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "leaf %d deferred", v)
		if err := aio.Sleep(t, d); err != nil {
			return 0, fmt.Errorf("leaf %d: %w", v, err)
		}
		if v < 0 {
			return 0, fmt.Errorf("leaf %d: %w", v, errLeaf)
		}
		return v, nil
	})
}

var errLeaf = errors.New("negative leaf")

// DirectMiddle is a direct coroutine awaiting a lowered leaf twice.
func DirectMiddle(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "direct middle %d deferred", v)
		a, err := aio.Await(t, Leaf(v, time.Second))
		if err != nil {
			return 0, fmt.Errorf("direct middle: %w", err)
		}
		b, err := aio.Await(t, Leaf(v+1, time.Second))
		if err != nil {
			return 0, fmt.Errorf("direct middle: %w", err)
		}
		return a + b, nil
	})
}

// Upper is lowered and awaits the direct middle.
//
//asyncgo:async
func Upper(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "upper %d deferred", v)
		n, err := aio.Await(t, DirectMiddle(v))
		if err != nil {
			return 0, fmt.Errorf("upper: %w", err)
		}
		return n * 10, nil
	})
}

// Top is lowered and awaits the lowered Upper.
//
//asyncgo:async
func Top(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "top %d deferred", v)
		n, err := aio.Await(t, Upper(v))
		if err != nil {
			return -1, fmt.Errorf("top: %w", err)
		}
		return n + 1, nil
	})
}

var _ = register("chain_mixed_values", func() {
	run(Top(3))
	run(Top(-1))
	run(Top(-2))
})

// CancelChain cancels a Top while the leaf deep down sleeps: the
// cancellation arrives at the leaf's sleep and every level sees it
// wrapped.
//
//asyncgo:async
func CancelChain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, Top(7))
		aio.Sleep(t, 1500*time.Millisecond)
		h.Cancel()
		n, err := aio.Await(t, h)
		logf(t.Loop(), "top: %d %v cancelled=%v is=%v", n, err, h.Cancelled(), errors.Is(err, aio.ErrCancelled))
		return "chain", nil
	})
}

var _ = register("chain_mixed_cancelled", func() { run(CancelChain()) })

// Depth awaits itself recursively n deep, each level sleeping 0 before and
// after: the chain of inline machines is n + 1 long.
//
//asyncgo:async
func Depth(n int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if n == 0 {
			err := aio.Sleep(t, time.Millisecond)
			return 0, err
		}
		if err := aio.Sleep(t, 0); err != nil {
			return -n, err
		}
		d, err := aio.Await(t, Depth(n-1))
		if err != nil {
			return d, err
		}
		aio.Sleep(t, 0)
		return d + 1, nil
	})
}

// DepthRace runs two recursive chains side by side and cancels a third.
//
//asyncgo:async
func DepthRace() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		a := aio.CreateTask(t, Depth(50))
		b := aio.CreateTask(t, Depth(20))
		c := aio.CreateTask(t, Depth(30))
		for range 10 {
			aio.Sleep(t, 0)
		}
		c.Cancel()
		x, errA := aio.Await(t, a)
		y, errB := aio.Await(t, b)
		z, errC := aio.Await(t, c)
		logf(t.Loop(), "a=%d %v b=%d %v c=%d %v", x, errA, y, errB, z, errC)
		return x + y, nil
	})
}

var _ = register("chain_recursive", func() { run(DepthRace()) })

// DirectTop is a direct task awaiting a lowered chain that awaits a direct
// coroutine: direct → lowered → lowered → direct → lowered.
func DirectTop() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		n, err := aio.Await(t, Top(1))
		logf(t.Loop(), "direct top: %d %v", n, err)
		return n, err
	})
}

var _ = register("chain_from_direct", func() { run(DirectTop()) })

// ErrorChain returns errors that wrap the leaf's through every level, and
// the awaiter tells them apart with errors.Is.
//
//asyncgo:async
func ErrorChain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var got []string
		for _, v := range []int{-5, 5} {
			_, err := aio.Await(t, Upper(v))
			got = append(got, fmt.Sprintf("%d: leaf=%v cancelled=%v", v, errors.Is(err, errLeaf), errors.Is(err, aio.ErrCancelled)))
		}
		return fmt.Sprint(got), nil
	})
}

var _ = register("chain_errors_wrapped", func() { run(ErrorChain()) })
