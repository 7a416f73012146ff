package main

import (
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Barrier's Wait, Reset and Abort as resume points of lowered bodies: two
// passages, a waiter cancelled while the barrier fills, a reset and an
// abort that break the waiters.

// opsParty waits on b, rounds times, d ms apart.
//
//asyncgo:async
func opsParty(name string, b *aio.Barrier, rounds, d int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		got := ""
		for r := range rounds {
			if err := aio.Sleep(t, time.Duration(d)*time.Millisecond); err != nil {
				return got, err
			}
			i, err := b.Wait(t)
			logf(l, "%s round %d: %d %v (%v)", name, r, i, err, b)
			if err != nil {
				return got, err
			}
			got += fmt.Sprint(i)
		}
		return got, nil
	})
}

// opsBarrierMain runs parties through a barrier of 3.
//
//asyncgo:async
func opsBarrierMain() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		b := aio.NewBarrier(3)
		hs := []*aio.Handle[string]{
			aio.CreateTask(t, opsParty("p1", b, 2, 1)),
			aio.CreateTask(t, opsParty("p2", b, 2, 2)),
			aio.CreateTask(t, opsParty("p3", b, 2, 3)),
		}
		gone := aio.CreateTask(t, opsParty("gone", b, 1, 0))
		aio.Sleep(t, 0)
		gone.Cancel() // waiting for the barrier to fill
		_, err := aio.Await(t, gone)
		logf(l, "gone: %v (%v)", err, b)
		for _, h := range hs {
			s, err := aio.Await(t, h)
			logf(l, "party %q %v", s, err)
		}
		w := aio.CreateTask(t, opsParty("reset", b, 1, 0))
		aio.Sleep(t, time.Millisecond)
		if err := b.Reset(t); err != nil {
			return "", err
		}
		_, err = aio.Await(t, w)
		logf(l, "after the reset: %v (%v)", err, b)
		w = aio.CreateTask(t, opsParty("abort", b, 1, 0))
		aio.Sleep(t, time.Millisecond)
		if err := b.Abort(t); err != nil {
			return "", err
		}
		_, err = aio.Await(t, w)
		i, err2 := b.Wait(t)
		logf(l, "after the abort: %v; %d %v", err, i, err2)
		return b.String(), nil
	})
}

var _ = register("ops_barrier", func() { run(opsBarrierMain()) })
