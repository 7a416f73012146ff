package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The synchronization primitives' waits as resume points of lowered
// bodies: each waiter is cancelled before a hand-off (while queued), just
// after it (woken, not yet run: the wakeup is passed on) and after it has
// run, and the primitive's state is logged at the end.

// opsLocker takes mu, holds it for d ms and releases it.
//
//asyncgo:async
func opsLocker(name string, mu *aio.Lock, d int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		if err := mu.Acquire(t); err != nil {
			logf(l, "%s: acquire %v (locked %v)", name, err, mu.Locked())
			return 0, err
		}
		defer mu.Release()
		logf(l, "%s: locked", name)
		if err := aio.Sleep(t, time.Duration(d)*time.Millisecond); err != nil {
			logf(l, "%s: cancelled holding the lock", name)
			return 1, err
		}
		return 2, nil
	})
}

// opsLockMain queues four lockers behind a held lock and cancels them at
// each point of the hand-offs.
//
//asyncgo:async
func opsLockMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var mu aio.Lock // a value: its Acquire is called on &mu
		if err := mu.Acquire(t); err != nil {
			return "", err
		}
		var hs []aio.Awaitable[int]
		var ts []*aio.Handle[int]
		for i := range 5 {
			h := aio.CreateTask(t, opsLocker(fmt.Sprint("w", i), &mu, 10*(i+1)))
			hs, ts = append(hs, h), append(ts, h)
		}
		aio.Sleep(t, 0)
		ts[1].Cancel() // queued: before the hand-off
		mu.Release()
		ts[0].Cancel() // woken by the release, cancelled before it runs
		aio.Sleep(t, 0)
		aio.Sleep(t, 0)
		ts[2].Cancel() // holding the lock
		rs, errs, err := aio.GatherErrors(t, hs...)
		logf(l, "lockers %v %v %v; locked %v", rs, errs, err, mu.Locked())
		return fmt.Sprint(mu.Locked()), nil
	})
}

var _ = register("ops_lock", func() { run(opsLockMain()) })

// opsWaiter waits on c until *ready reaches k, then holds the lock for a
// turn.
//
//asyncgo:async
func opsWaiter(name string, c *aio.Condition, ready *int, k int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		if err := c.Acquire(t); err != nil {
			return 0, err
		}
		defer c.Release()
		if k == 0 {
			// A plain Wait: woken by any notification.
			if err := c.Wait(t); err != nil {
				logf(l, "%s: wait %v (locked %v)", name, err, c.Locked())
				return 0, err
			}
		} else if err := c.WaitFor(t, func() bool { return *ready >= k }); err != nil {
			logf(l, "%s: wait for %d: %v (locked %v)", name, k, err, c.Locked())
			return 0, err
		}
		logf(l, "%s: notified at %d", name, *ready)
		aio.Sleep(t, 0)
		return *ready, nil
	})
}

// opsConditionMain notifies waiters step by step, cancelling some while
// they wait and one just after it was notified.
//
//asyncgo:async
func opsConditionMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		c := aio.NewCondition(nil)
		ready := 0
		var hs []aio.Awaitable[int]
		var ts []*aio.Handle[int]
		for i, k := range []int{0, 1, 2, 2, 3} {
			h := aio.CreateTask(t, opsWaiter(fmt.Sprint("c", i), c, &ready, k))
			hs, ts = append(hs, h), append(ts, h)
		}
		aio.Sleep(t, 0)
		ts[4].Cancel() // waiting
		for step := 1; step <= 3; step++ {
			if err := c.Acquire(t); err != nil {
				return "", err
			}
			ready = step
			c.NotifyAll()
			if step == 2 {
				ts[2].Cancel() // notified, not yet run: gets the lock back, then fails
			}
			c.Release()
			aio.Sleep(t, 0)
			aio.Sleep(t, 0)
		}
		rs, errs, err := aio.GatherErrors(t, hs...)
		logf(l, "waiters %v %v %v; locked %v", rs, errs, err, c.Locked())
		return "ok", nil
	})
}

var _ = register("ops_condition", func() { run(opsConditionMain()) })

// opsSlot takes a slot of s (or of b), holds it d ms, gives it back.
//
//asyncgo:async
func opsSlot(name string, s *aio.Semaphore, b *aio.BoundedSemaphore, d int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		var err error
		if s != nil {
			err = s.Acquire(t)
		} else {
			err = b.Acquire(t)
		}
		if err != nil {
			logf(l, "%s: acquire %v", name, err)
			return 0, err
		}
		logf(l, "%s: in", name)
		err = aio.Sleep(t, time.Duration(d)*time.Millisecond)
		if s != nil {
			s.Release()
		} else {
			b.Release()
		}
		return d, err
	})
}

// opsSemaphoreMain runs five tasks through two slots, cancelling one
// queued, one woken by a release and one inside; then over-releases a
// bounded semaphore, which panics.
//
//asyncgo:async
func opsSemaphoreMain(bounded bool) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var s *aio.Semaphore
		var b *aio.BoundedSemaphore
		value := func() int { return s.Value() }
		if bounded {
			b = aio.NewBoundedSemaphore(2)
			value = b.Value
		} else {
			s = aio.NewSemaphore(2)
		}
		var hs []aio.Awaitable[int]
		var ts []*aio.Handle[int]
		for i := range 5 {
			h := aio.CreateTask(t, opsSlot(fmt.Sprint("s", i), s, b, 10*(i+1)))
			hs, ts = append(hs, h), append(ts, h)
		}
		aio.Sleep(t, 0)
		ts[3].Cancel() // queued
		aio.Sleep(t, 10*time.Millisecond)
		ts[2].Cancel() // woken by s0's release at 10ms, not yet run
		ts[1].Cancel() // inside
		rs, errs, err := aio.GatherErrors(t, hs...)
		logf(l, "slots %v %v %v; value %d", rs, errs, err, value())
		if bounded {
			b.Release() // one more than were taken: panics
		}
		return fmt.Sprint(value()), nil
	})
}

var _ = register("ops_semaphore", func() { run(opsSemaphoreMain(false)) })
var _ = register("ops_bounded_semaphore", func() { run(opsSemaphoreMain(true)) })

// opsEventWaiter waits for e.
//
//asyncgo:async
func opsEventWaiter(name string, e *aio.Event) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		if err := e.Wait(t); err != nil {
			logf(t.Loop(), "%s: %v", name, err)
			return "", err
		}
		logf(t.Loop(), "%s: woke", name)
		return name, nil
	})
}

// opsEventMain sets an event with waiters cancelled before and after the
// set, then waits on it set (no suspension) and cleared again.
//
//asyncgo:async
func opsEventMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		e := new(aio.Event)
		var hs []aio.Awaitable[string]
		var ts []*aio.Handle[string]
		for i := range 4 {
			h := aio.CreateTask(t, opsEventWaiter(fmt.Sprint("e", i), e))
			hs, ts = append(hs, h), append(ts, h)
		}
		aio.Sleep(t, 0)
		ts[0].Cancel()
		l.CallLater(5*time.Millisecond, func() {
			e.Set()
			ts[1].Cancel() // woken, then cancelled: it still woke
		})
		if err := e.Wait(t); err != nil {
			return "", err
		}
		logf(l, "main woke, set %v", e.IsSet())
		if err := e.Wait(t); err != nil {
			return "", err
		}
		rs, errs, err := aio.GatherErrors(t, hs...)
		logf(l, "event waiters %q %v %v", rs, errs, err)
		e.Clear()
		w := aio.CreateTask(t, opsEventWaiter("late", e))
		aio.Sleep(t, 3*time.Millisecond)
		w.Cancel()
		_, err = aio.Await(t, w)
		return fmt.Sprint(err), nil
	})
}

var _ = register("ops_event", func() { run(opsEventMain()) })
