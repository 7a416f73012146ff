package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Loop.Close unwinds lowered bodies suspended in aio's waits as it
// unwinds direct ones: no code after the wait runs, the defers do (what
// recover sees is the same), the tasks end cancelled.

// opsStuck waits on what never comes: kind says which wait.
//
//asyncgo:async
func opsStuck(kind string, mu *aio.Lock, q *aio.Queue[int], c *aio.Condition, hs []*aio.Handle[int]) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer func() {
			logf(l, "%s: deferred, recovered %v", kind, recover() != nil)
		}()
		var err error
		switch kind {
		case "lock":
			err = mu.Acquire(t)
		case "get":
			_, err = q.Get(t)
		case "wait":
			if err = c.Acquire(t); err == nil {
				err = c.Wait(t)
			}
		case "gather":
			_, err = aio.Gather(t, hs[0], hs[1])
		case "completed":
			for h, err := range aio.AsCompleted(t, hs) {
				logf(l, "%s: %v %v", kind, h, err)
			}
		}
		logf(l, "%s: after the wait %v", kind, err)
		return 0, err
	})
}

var _ = register("ops_close_unwinds", func() {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	mu := new(aio.Lock)
	c := aio.NewCondition(nil)
	q := aio.NewQueue[int](0)
	hold := aio.NewTask(l, opsStuck("lock", mu, q, c, nil)) // takes the lock at once
	forever := []*aio.Handle[int]{aio.NewTask(l, opsJob("x", 3600000, false)), aio.NewTask(l, opsJob("y", 3600000, false))}
	var hs []*aio.Handle[int]
	for _, k := range []string{"lock", "get", "wait", "gather", "completed"} {
		hs = append(hs, aio.NewTask(l, opsStuck(k, mu, q, c, forever)))
	}
	err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, time.Second) }))
	out.log("run until complete: %s", describe(err))
	out.log("close: %s", describe(l.Close()))
	_, herr := hold.Result()
	out.log("hold: %s", describe(herr))
	for _, h := range hs {
		_, err := h.Result()
		out.log("%v %s", h.Cancelled(), describe(err))
	}
})
