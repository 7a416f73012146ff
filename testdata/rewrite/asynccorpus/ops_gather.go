package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Gather, GatherErrors, Wait, WaitTimeout, WaitFor and Shield as resume
// points of lowered bodies: errors, cancellation while they wait, time
// limits.

// opsJob sleeps d ms and returns d, or fails.
//
//asyncgo:async
func opsJob(name string, d int, fail bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "%s: end", name)
		if err := aio.Sleep(t, time.Duration(d)*time.Millisecond); err != nil {
			logf(l, "%s: %v", name, err)
			return 0, err
		}
		if fail {
			return 0, fmt.Errorf("%s: %w", name, errBoom)
		}
		return d, nil
	})
}

// opsGatherer gathers two long jobs: cancelled while it waits.
//
//asyncgo:async
func opsGatherer() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		rs, err := aio.Gather(t, opsJob("long1", 100, false), opsJob("long2", 200, false))
		logf(t.Loop(), "long gather %v %v", rs, err)
		return len(rs), err
	})
}

// opsShielder shields h.
//
//asyncgo:async
func opsShielder(h *aio.Handle[int]) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		v, err := aio.Shield(t, h)
		logf(t.Loop(), "shield %d %v", v, err)
		return v, err
	})
}

// opsWaitForInner waits for a job with a time limit, inside a task that
// is cancelled meanwhile: the cancellation, not the limit, comes out.
//
//asyncgo:async
func opsWaitForInner() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		v, err := aio.WaitFor(t, opsJob("inner", 50, false), 40*time.Millisecond)
		logf(t.Loop(), "inner wait for %d %v (cancelling %d)", v, err, t.Cancelling())
		return v, err
	})
}

func names(hs []*aio.Handle[int]) []string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Name())
	}
	return s
}

// opsGatherMain runs every combinator.
//
//asyncgo:async
func opsGatherMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		rs, err := aio.Gather(t, opsJob("g1", 30, false), opsJob("g2", 10, false), opsJob("g3", 20, false))
		logf(l, "gather %v %v", rs, err)
		rs, err = aio.Gather(t, opsJob("e1", 30, false), opsJob("e2", 10, true))
		logf(l, "gather error %v %v", rs, err) // at 10ms: e1 carries on
		aio.Sleep(t, 30*time.Millisecond)
		cs := []aio.Awaitable[int]{opsJob("r1", 10, true), opsJob("r2", 5, false)}
		rs, errs, err := aio.GatherErrors(t, cs...)
		logf(l, "gather errors %v %v %v", rs, errs, err)
		rs, err = aio.Gather[int](t)
		logf(l, "gather nothing %v %v", rs, err)

		g := aio.CreateTask(t, opsGatherer())
		aio.Sleep(t, 5*time.Millisecond)
		g.Cancel()
		n, err := aio.Await(t, g)
		logf(l, "cancelled gather %d %v", n, err)

		hs := []*aio.Handle[int]{
			aio.CreateTask(t, opsJob("w1", 10, false), aio.Name("w1")),
			aio.CreateTask(t, opsJob("w2", 20, true), aio.Name("w2")),
			aio.CreateTask(t, opsJob("w3", 30, false), aio.Name("w3")),
		}
		done, pending, err := aio.Wait(t, hs, aio.FirstCompleted)
		logf(l, "first completed %v %v %v", names(done), names(pending), err)
		done, pending, err = aio.Wait(t, hs, aio.FirstException)
		logf(l, "first exception %v %v %v", names(done), names(pending), err)
		done, pending, err = aio.WaitTimeout(t, hs, aio.AllCompleted, 5*time.Millisecond)
		logf(l, "timeout %v %v %v", names(done), names(pending), err)
		done, pending, err = aio.Wait(t, hs, aio.AllCompleted)
		logf(l, "all %v %v %v", names(done), names(pending), err)

		v, err := aio.WaitFor(t, opsJob("f1", 10, false), 20*time.Millisecond)
		logf(l, "wait for %d %v", v, err)
		v, err = aio.WaitFor(t, opsJob("f2", 50, false), 20*time.Millisecond)
		logf(l, "wait for slow %d %v (cancelling %d)", v, err, t.Cancelling())
		h := aio.CreateTask(t, opsJob("f3", 50, false))
		v, err = aio.WaitFor(t, h, 0)
		logf(l, "wait for 0 %d %v %v", v, err, h.Cancelled())
		h = aio.CreateTask(t, opsJob("f4", 10, false))
		aio.Sleep(t, 20*time.Millisecond)
		v, err = aio.WaitFor(t, h, 0)
		logf(l, "wait for done %d %v", v, err)
		wi := aio.CreateTask(t, opsWaitForInner())
		aio.Sleep(t, 10*time.Millisecond)
		wi.Cancel()
		v, err = aio.Await(t, wi)
		logf(l, "cancelled wait for %d %v", v, err)

		inner := aio.CreateTask(t, opsJob("s1", 30, false))
		sh := aio.CreateTask(t, opsShielder(inner))
		aio.Sleep(t, 10*time.Millisecond)
		sh.Cancel()
		_, err = aio.Await(t, sh)
		v, ierr := aio.Await(t, inner)
		logf(l, "shielded: outer %v, inner %d %v", err, v, ierr)
		inner = aio.CreateTask(t, opsJob("s2", 10, false))
		sh = aio.CreateTask(t, opsShielder(inner))
		aio.Sleep(t, 5*time.Millisecond)
		inner.Cancel() // cancelling the inner one reaches the shield
		_, err = aio.Await(t, sh)
		logf(l, "inner cancelled: outer %v", err)
		v, err = aio.Shield(t, inner) // done: no suspension
		return fmt.Sprint(v, err), nil
	})
}

var _ = register("ops_gather_wait", func() { run(opsGatherMain()) })
