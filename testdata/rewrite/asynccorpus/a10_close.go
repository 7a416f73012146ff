package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Outlive awaits, inline, a lowered coroutine that sleeps for an hour;
// both log after their awaits and in their defers.
//
//asyncgo:async
func Outlive(name string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "%s: outer deferred", name)
		n, err := aio.Await(t, Forever(name+"/inner"))
		logf(t.Loop(), "%s: after await %d %v", name, n, err)
		aio.Sleep(t, time.Second)
		logf(t.Loop(), "%s: after sleep", name)
		return n, err
	})
}

// Sleepy sleeps for an hour, twice.
//
//asyncgo:async
func Sleepy() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer func() {
			logf(l, "sleepy deferred, recovered %v", recover() != nil)
		}()
		err := aio.Sleep(t, time.Hour)
		logf(t.Loop(), "sleepy: %v", err)
		err = aio.Sleep(t, time.Hour)
		return 0, err
	})
}

// Short sleeps a second.
//
//asyncgo:async
func Short() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		return 1, aio.Sleep(t, time.Second)
	})
}

// DirectOutlive is a direct task awaiting a lowered coroutine inline when
// the loop closes.
func DirectOutlive() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		defer logf(t.Loop(), "direct outlive deferred")
		n, err := aio.Await(t, Outlive("d"))
		logf(t.Loop(), "direct outlive: %d %v", n, err)
		return n, err
	})
}

var _ = register("close_unwinds", func() {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	h := aio.NewTask(l, Outlive("o"))
	s := aio.NewTask(l, Sleepy())
	d := aio.NewTask(l, DirectOutlive())
	err := l.RunUntilComplete(Short())
	out.log("run until complete: %s", describe(err))
	out.log("close: %s", describe(l.Close()))
	_, herr := h.Result()
	_, serr := s.Result()
	_, derr := d.Result()
	out.log("o: %v %s; sleepy: %v %s; direct: %v %s", h.Cancelled(), describe(herr), s.Cancelled(), describe(serr), d.Cancelled(), describe(derr))
})
