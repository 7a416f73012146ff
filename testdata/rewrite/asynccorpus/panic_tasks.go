package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Panics in async bodies: a task whose body panics fails with a
// *PanicError (the loop carries on, as asyncio's loop does when a task
// raises); a coroutine awaited inline passes its panic up through the
// awaiting body (PEP 492: await propagates the exception); run-time
// errors are panics like any other.

// Faulty fails after a sleep in the way kind says.
//
//asyncgo:async
func Faulty(kind string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, 100*time.Millisecond)
		switch kind {
		case "index":
			xs := []int{1}
			i := len(kind)
			return xs[i], nil
		case "nil":
			var p *Account
			return p.balance, nil
		case "assert":
			var v any = "text"
			return v.(int), nil
		case "divide":
			zero := len(kind) - 6
			return 1 / zero, nil
		case "error":
			panic(fmt.Errorf("wrapped: %w", errBoom))
		case "string":
			panic("plain " + kind)
		case "conv":
			n, err := strconv.Atoi(kind)
			if err != nil {
				panic(err)
			}
			return n, nil
		}
		return 1, nil
	})
}

// PanicKinds runs each fault as a task and awaits its handle: the await
// returns the *PanicError; other tasks carry on.
//
//asyncgo:async
func PanicKinds() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		kinds := []string{"index", "nil", "assert", "divide", "error", "string", "conv", "none"}
		hs := make([]*aio.Handle[int], len(kinds))
		for i, k := range kinds {
			hs[i] = aio.CreateTask(t, Faulty(k))
		}
		ticker := aio.CreateTask(t, Ticker("alive", 3, 50))
		failed := 0
		for i, h := range hs {
			v, err := aio.Await(t, h)
			var pe *aio.PanicError
			if errors.As(err, &pe) {
				failed++
				_, isErr := pe.Value.(error)
				logf(l, "%s: panic %v (error value %v, is boom %v)", kinds[i], pe.Value, isErr, errors.Is(err, errBoom))
				continue
			}
			logf(l, "%s: %d %v", kinds[i], v, err)
		}
		s, err := aio.Await(t, ticker)
		logf(l, "ticker %s %v", s, err)
		return failed, nil
	})
}

var _ = register("panic_kinds_in_tasks", func() { run(PanicKinds()) })

// InlinePanic awaits a faulty coroutine inline and recovers the panic in
// its own defer; the await's results are never assigned.
//
//asyncgo:async
func InlinePanic(kind string) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (res string, err error) {
		res = "unset"
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s recovered: %v", kind, r)
			}
		}()
		v, err := aio.Await(t, Faulty(kind))
		res = fmt.Sprint("got ", v)
		return res, err
	})
}

var _ = register("panic_inline_recovered", func() {
	run(InlinePanic("assert"))
	run(InlinePanic("error"))
	run(InlinePanic("none"))
})

// Unrecovered lets an inline panic through: the task fails with a
// *PanicError whose value is the original one.
//
//asyncgo:async
func Unrecovered() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "unrecovered: defer runs")
		n, err := aio.Await(t, Faulty("divide"))
		logf(t.Loop(), "unrecovered: never here %d %v", n, err)
		return n, err
	})
}

// PanicThrough awaits Unrecovered as a task.
//
//asyncgo:async
func PanicThrough() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, Unrecovered())
		_, err := aio.Await(t, h)
		var pe *aio.PanicError
		if errors.As(err, &pe) {
			return fmt.Sprintf("panic error: %v (done %v, cancelled %v)", pe.Value, h.Done(), h.Cancelled()), nil
		}
		return "", err
	})
}

var _ = register("panic_through_inline", func() { run(PanicThrough()) })

// PanicWhileCancelled panics in a defer that runs because the task was
// cancelled: the panic replaces the cancellation.
//
//asyncgo:async
func PanicWhileCancelled() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer func() {
			panic("panic in cleanup")
		}()
		err := aio.Sleep(t, time.Hour)
		return 0, err
	})
}

// CancelThenPanic cancels PanicWhileCancelled.
//
//asyncgo:async
func CancelThenPanic() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, PanicWhileCancelled())
		aio.Sleep(t, time.Second)
		h.Cancel()
		_, err := aio.Await(t, h)
		return fmt.Sprintf("%s cancelled=%v", describe(err), h.Cancelled()), nil
	})
}

var _ = register("panic_in_cancel_cleanup", func() { run(CancelThenPanic()) })

// DirectPanicker is a direct task body that panics with an error; a
// lowered task awaits it as a task.
func DirectPanicker() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, time.Second)
		panic(errBoom)
	})
}

// AwaitPanickingTask awaits a direct task that panics.
//
//asyncgo:async
func AwaitPanickingTask() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, DirectPanicker())
		_, err := aio.Await(t, h)
		return fmt.Sprintf("%s is boom %v", describe(err), errors.Is(err, errBoom)), nil
	})
}

var _ = register("panic_direct_task", func() { run(AwaitPanickingTask()) })
