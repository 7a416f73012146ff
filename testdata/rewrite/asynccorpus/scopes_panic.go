package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Panics and returns passing through inlined scope callbacks: a panic
// leaving a Timeout block disarms it (an expired one's cancellation is
// withdrawn), one leaving a WithTaskGroup block cancels the group's tasks
// without waiting; both before the body's deferred calls run, which may
// recover it. Returns inside the callback's loops, switches and selects
// set the block's result.

// PanicIn panics inside a block of kind after a suspension; a deferred
// recover in the body logs what it sees.
//
//asyncgo:async
func PanicIn(kind string, expire bool) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (res string, err error) {
		l := t.Loop()
		var h *aio.Handle[string]
		defer func() {
			r := recover()
			logf(l, "recovered %v cancelling=%d", r, t.Cancelling())
			res = fmt.Sprint("recovered ", r)
			if h != nil {
				logf(l, "member: done=%v cancelled=%v", h.Done(), h.Cancelled())
			}
		}()
		switch kind {
		case "timeout":
			aio.Timeout(t, 20*time.Millisecond, func(s *aio.TimeoutScope) error {
				d := time.Millisecond
				if expire {
					d = time.Second
				}
				err := aio.Sleep(t, d)
				panic(fmt.Sprint("in timeout: ", err, " expired=", s.Expired()))
			})
		case "group":
			aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				h = aio.CreateGroupTask(g, GJob("member", 50))
				aio.Sleep(t, 10*time.Millisecond)
				var m map[string]int
				m["x"]++ // a run-time panic
				return nil
			})
		}
		return "not reached", nil
	})
}

// AfterPanic awaits PanicIn, then sleeps past the deadline of the block
// that panicked: it is not cancelled.
//
//asyncgo:async
func AfterPanic(kind string, expire bool) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		r, err := aio.Await(t, PanicIn(kind, expire))
		logf(t.Loop(), "PanicIn: %q %v", r, err)
		err = aio.Sleep(t, 100*time.Millisecond)
		logf(t.Loop(), "slept: %v cancelling=%d", err, t.Cancelling())
		return r, err
	})
}

var _ = register("scopes_panic_timeout", func() { run(AfterPanic("timeout", false)) })
var _ = register("scopes_panic_timeout_expired", func() { run(AfterPanic("timeout", true)) })
var _ = register("scopes_panic_group", func() { run(AfterPanic("group", false)) })

// Unrecovered: the task fails with the panic; nested blocks each stop,
// innermost first, before the body's deferred call logs.
//
//asyncgo:async
func PanicNested() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "body's defer")
		aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateGroupTask(g, GJob("outer-member", 100))
			return aio.Timeout(t, time.Second, func(s *aio.TimeoutScope) error {
				aio.CreateGroupTask(g, GJob("inner-member", 100))
				aio.Sleep(t, 5*time.Millisecond)
				panic(errBoom)
			})
		})
		return 0, nil
	})
}

var _ = register("scopes_panic_nested", func() { run(PanicNested()) })

// Returns from inside the callback's loops and switches, with values
// computed from awaits; a range-over-func loop inside the callback is
// stopped by the return; a named result of the callback is returned bare.
//
//asyncgo:async
func ScopeReturns(n int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var trail []string
		for i := range n {
			err := aio.Timeout(t, 25*time.Millisecond, func(s *aio.TimeoutScope) (berr error) {
				for v := range gseq(l, 3) {
					r, err := aio.Await(t, TFetch(v*10+i, 8*i))
					switch {
					case err != nil:
						berr = fmt.Errorf("at %d: %w", v, err)
						return
					case r%3 == 0:
						return fmt.Errorf("r=%d", r)
					case r > 20:
						trail = append(trail, fmt.Sprint("big ", r))
						return nil
					}
					trail = append(trail, fmt.Sprint(r))
				}
				select {
				case <-make(chan int):
					return errors.New("unreachable")
				default:
					if i == 2 {
						return nil
					}
				}
				berr = errors.New("fell through")
				return
			})
			trail = append(trail, fmt.Sprintf("%d: %v", i, err))
		}
		for _, s := range trail {
			logf(l, "%s", s)
		}
		return fmt.Sprint(len(trail)), nil
	})
}

// gseq yields 1..n and logs when it stops.
func gseq(l *aio.Loop, n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		defer logf(l, "gseq done")
		for i := 1; i <= n; i++ {
			if !yield(i) {
				logf(l, "gseq stopped at %d", i)
				return
			}
		}
	}
}

var _ = register("scopes_returns", func() { run(ScopeReturns(4)) })

// ScopeLoopClose is unwound by Loop.Close while suspended inside a group
// block, and inside a timeout block in the group's exit wait.
//
//asyncgo:async
func ScopeLoopClose(inExit bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		defer logf(l, "body unwinds")
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateGroupTask(g, GJob("m", 1000))
			if inExit {
				return nil
			}
			return aio.Timeout(t, time.Hour, func(*aio.TimeoutScope) error {
				return aio.Sleep(t, time.Hour)
			})
		})
		logf(l, "not reached %v", err)
		return 0, nil
	})
}

func closeUnder(c *aio.Coroutine[int]) {
	l := aio.NewLoop(aio.WithVirtualClock(epoch))
	h := aio.NewTask(l, c)
	err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) {
		return 0, aio.Sleep(t, 10*time.Millisecond)
	}))
	out.log("main -> %s", describe(err))
	out.log("close -> %s", describe(l.Close()))
	_, err = h.Result()
	out.log("task -> %s cancelled=%v", describe(err), h.Cancelled())
}

var _ = register("scopes_close_in_body", func() { closeUnder(ScopeLoopClose(false)) })
var _ = register("scopes_close_in_exit", func() { closeUnder(ScopeLoopClose(true)) })
