package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Patterns a new user writes: retry with exponential backoff, fan-out and
// fan-in of tasks, a supervisor restarting a failing worker, a waiter
// woken by a future that another task resolves.

var errFlaky = errors.New("flaky")

// Flaky fails the first fails calls it gets through *calls.
//
//asyncgo:async
func Flaky(calls *int, fails int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		*calls++
		if err := aio.Sleep(t, 10*time.Millisecond); err != nil {
			return "", err
		}
		if *calls <= fails {
			return "", fmt.Errorf("call %d: %w", *calls, errFlaky)
		}
		return fmt.Sprint("ok after ", *calls), nil
	})
}

// Retry calls Flaky until it succeeds, backing off 100ms, 200ms, ...; it
// gives up after tries.
//
//asyncgo:async
func Retry(fails, tries int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		calls := 0
		backoff := 100 * time.Millisecond
		var last error
		for try := 1; try <= tries; try++ {
			s, err := aio.Await(t, Flaky(&calls, fails))
			if err == nil {
				return s, nil
			}
			if errors.Is(err, aio.ErrCancelled) {
				return "", err
			}
			last = err
			logf(t.Loop(), "try %d: %v; backing off %v", try, err, backoff)
			if err := aio.Sleep(t, backoff); err != nil {
				return "", fmt.Errorf("backing off: %w", err)
			}
			backoff *= 2
		}
		return "", fmt.Errorf("gave up after %d tries: %w", tries, last)
	})
}

var _ = register("tasks_retry_backoff", func() {
	run(Retry(2, 5))
	run(Retry(9, 3))
	run(WithDeadline(Retry(9, 10), 500*time.Millisecond))
})

// FanOut runs a task per word and gathers their results in order, with
// the first error.
//
//asyncgo:async
func FanOut(words []string) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		hs := make([]*aio.Handle[string], 0, len(words))
		for i, w := range words {
			ms := (len(words) - i) * 10
			if w == "" {
				w = "bad-empty"
			}
			hs = append(hs, aio.CreateTask(t, Job(w, ms)))
		}
		var got []string
		var first error
		for _, h := range hs {
			s, err := aio.Await(t, h)
			if err != nil && first == nil {
				first = err
			}
			got = append(got, s)
		}
		return strings.Join(got, "+"), first
	})
}

var _ = register("tasks_fan_out_in", func() {
	run(FanOut([]string{"x", "y", "z"}))
	run(FanOut([]string{"x", "", "z"}))
})

// Supervise restarts a worker that fails, up to limit times.
//
//asyncgo:async
func Supervise(limit int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		calls := 0
		restarts := 0
		for {
			h := aio.CreateTask(t, Flaky(&calls, 3), aio.Name(fmt.Sprint("worker-", restarts)))
			s, err := aio.Await(t, h)
			if err == nil {
				logf(t.Loop(), "%s: %s", h.Name(), s)
				return restarts, nil
			}
			if restarts == limit {
				return restarts, fmt.Errorf("supervisor: %w", err)
			}
			restarts++
			logf(t.Loop(), "%s failed (%v), restarting", h.Name(), err)
		}
	})
}

var _ = register("tasks_supervisor", func() {
	run(Supervise(5))
	run(Supervise(1))
})

// Resolver resolves f after d.
//
//asyncgo:async
func Resolver(f *aio.Future[string], d time.Duration, v string) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		if err := aio.Sleep(t, d); err != nil {
			return false, err
		}
		return f.SetResult(v) == nil, nil
	})
}

// Rendezvous waits for a future two resolvers race to set: the first one
// wins, the second one's SetResult fails.
//
//asyncgo:async
func Rendezvous() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		f := aio.NewFuture[string](t.Loop())
		slow := aio.CreateTask(t, Resolver(f, 2*time.Second, "slow"))
		fast := aio.CreateTask(t, Resolver(f, time.Second, "fast"))
		v, err := aio.Await(t, f)
		okFast, _ := aio.Await(t, fast)
		okSlow, _ := aio.Await(t, slow)
		logf(t.Loop(), "got %s; fast set %v, slow set %v", v, okFast, okSlow)
		return v, err
	})
}

var _ = register("tasks_rendezvous", func() { run(Rendezvous()) })
