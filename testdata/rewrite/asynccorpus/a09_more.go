package main

import (
	"errors"
	"iter"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// count is a push iterator with a deferred log.
func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer out.log("count(%d) done", n)
		for i := range n {
			if !yield(i) {
				return
			}
		}
	}
}

// Ranger awaits inside a range-over-func loop and in conditions behind
// && and ||, and breaks out of the loop.
//
//asyncgo:async
func Ranger() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		sum := 0
		for i := range count(10) {
			if v, _ := aio.Await(t, Value(i, 10)); v == 5 {
				break
			}
			if i%2 == 0 && aio.Sleep(t, time.Millisecond) == nil {
				sum += i
			}
			if i == 1 || aio.Sleep(t, 0) != nil {
				sum += 100
			}
		}
		ch := make(chan int, 1)
		ch <- 7
		select {
		case v := <-ch:
			n, _ := aio.Await(t, Value(v, 1))
			sum += n
		}
		return sum, nil
	})
}

var _ = register("range_func_conditions", func() { run(Ranger()) })

// Waiter awaits a task, a future and a direct coroutine; each is cancelled
// when the waiter is.
//
//asyncgo:async
func Waiter(kind string) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		defer logf(l, "waiter %s deferred", kind)
		var err error
		switch kind {
		case "task":
			h := aio.CreateTask(t, Forever("awaited task"))
			_, err = aio.Await(t, h)
			logf(l, "task cancelled %v", h.Cancelled())
		case "future":
			f := aio.NewFuture[int](l)
			_, err = aio.Await(t, f)
			logf(l, "future cancelled %v", f.Cancelled())
		case "direct":
			_, err = aio.Await(t, DirectForever())
		}
		logf(l, "waiter %s: %v", kind, err)
		return kind, err
	})
}

// DirectForever is a direct coroutine that sleeps until cancelled.
func DirectForever() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "direct forever deferred")
		err := aio.Sleep(t, time.Hour)
		logf(t.Loop(), "direct forever: %v", err)
		return 0, err
	})
}

// CancelWaiters cancels waiters at their awaits.
//
//asyncgo:async
func CancelWaiters() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := ""
		for _, k := range []string{"task", "future", "direct"} {
			h := aio.CreateTask(t, Waiter(k))
			aio.Sleep(t, time.Second)
			h.Cancel()
			v, err := aio.Await(t, h)
			s += v
			logf(t.Loop(), "%s -> %q %v %v", k, v, errors.Is(err, aio.ErrCancelled), h.Cancelled())
		}
		return s, nil
	})
}

var _ = register("cancel_awaited_kinds", func() { run(CancelWaiters()) })

// SelfAwait awaits a task that awaits it: a deadlock reported at the
// await.
//
//asyncgo:async
func SelfAwait() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		self := make(chan *aio.Handle[int], 1)
		h := aio.CreateTask(t, Back(self))
		tk := aio.CreateTask(t, Ticker("tk", 4, 0), aio.Name("tk"))
		self <- h
		n, err := aio.Await(t, h)
		logf(t.Loop(), "await: %d %v", n, err)
		aio.Await(t, tk)
		return n, nil
	})
}

// Back awaits the handle it is sent: its own.
//
//asyncgo:async
func Back(ch chan *aio.Handle[int]) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		aio.Sleep(t, 0)
		_, err := aio.Await(t, <-ch)
		logf(t.Loop(), "back: %v", err)
		aio.Sleep(t, 0)
		logf(t.Loop(), "back: after")
		return 1, nil
	})
}

var _ = register("deadlock_self", func() { run(SelfAwait()) })
