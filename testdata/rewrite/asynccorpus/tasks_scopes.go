package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Tasks created from lowered bodies and awaited later; asyncio's timeout
// and TaskGroup used by direct-mode helpers that lowered bodies await
// (asyncio.timeout: the expired block's CancelledError becomes
// TimeoutError; TaskGroup: the first failure cancels the other tasks and
// the errors come back together).

// Job sleeps ms milliseconds and returns its name; "bad" jobs fail.
//
//asyncgo:async
func Job(name string, ms int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		if err := aio.Sleep(t, time.Duration(ms)*time.Millisecond); err != nil {
			logf(l, "job %s cancelled", name)
			return "", err
		}
		if strings.HasPrefix(name, "bad") {
			logf(l, "job %s fails", name)
			return "", fmt.Errorf("job %s: %w", name, errBoom)
		}
		logf(l, "job %s done", name)
		return name, nil
	})
}

// Later creates tasks, does other work, then awaits them in reverse
// order; a done callback records completion order.
//
//asyncgo:async
func Later() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var order []string
		var hs []*aio.Handle[string]
		for i, ms := range []int{30, 10, 20} {
			h := aio.CreateTask(t, Job(fmt.Sprint("j", i), ms), aio.Name(fmt.Sprint("task-j", i)))
			h.AddDoneCallback(func(h *aio.Handle[string]) { order = append(order, h.Name()) })
			hs = append(hs, h)
		}
		v, _ := aio.Await(t, Job("inline", 15))
		logf(l, "inline %s; done so far %v", v, order)
		var got []string
		for i := len(hs) - 1; i >= 0; i-- {
			r, err := aio.Await(t, hs[i])
			got = append(got, r)
			if err != nil {
				return "", err
			}
		}
		aio.Sleep(t, 0) // the last done callback runs a turn after completion
		logf(l, "completion order %v", order)
		return strings.Join(got, ","), nil
	})
}

var _ = register("tasks_await_later", func() { run(Later()) })

// WithDeadline is a direct-mode helper: it runs c under a timeout of d.
func WithDeadline[R any](c *aio.Coroutine[R], d time.Duration) *aio.Coroutine[R] {
	return aio.Async(func(t *aio.Task) (R, error) {
		var r R
		err := aio.Timeout(t, d, func(s *aio.TimeoutScope) error {
			var err error
			r, err = aio.Await(t, c)
			return err
		})
		return r, err
	})
}

// Deadlines awaits jobs under timeouts that expire and that do not.
//
//asyncgo:async
func Deadlines() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var res []string
		for _, c := range []struct {
			name    string
			ms, lim int
		}{{"fast", 10, 50}, {"slow", 100, 50}, {"bad-fast", 5, 50}} {
			v, err := aio.Await(t, WithDeadline(Job(c.name, c.ms), time.Duration(c.lim)*time.Millisecond))
			logf(l, "%s: %q timeout=%v cancelled=%v boom=%v cancelling=%d", c.name, v, errors.Is(err, aio.ErrTimeout), errors.Is(err, aio.ErrCancelled), errors.Is(err, errBoom), t.Cancelling())
			res = append(res, v)
		}
		// A timeout around an inline chain: the lowered coroutines awaited
		// inside the direct helper's block see the cancellation.
		_, err := aio.Await(t, WithDeadline(Top(4), 1500*time.Millisecond))
		logf(l, "chain under timeout: %v", errors.Is(err, aio.ErrTimeout))
		return strings.Join(res, "|"), nil
	})
}

var _ = register("tasks_timeout_helper", func() { run(Deadlines()) })

// Group is a direct-mode helper running jobs in a TaskGroup; it returns
// what became of each job and the group's error, as a value (a lowered
// body awaiting a direct coroutine gets no value beside an error: see
// testdata/rewrite/failing/chain_direct_result_with_error).
func Group(jobs map[string]int) *aio.Coroutine[[]string] {
	return aio.Async(func(t *aio.Task) ([]string, error) {
		var hs []*aio.Handle[string]
		names := make([]string, 0, len(jobs))
		for n := range jobs {
			names = append(names, n)
		}
		sort.Strings(names)
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			for _, n := range names {
				hs = append(hs, aio.CreateGroupTask(g, Job(n, jobs[n])))
			}
			return nil
		})
		out := []string{fmt.Sprintf("group error %v boom=%v cancelled=%v", err, errors.Is(err, errBoom), errors.Is(err, aio.ErrCancelled))}
		for i, h := range hs {
			r, herr := h.Result()
			out = append(out, fmt.Sprintf("%s:%q cancelled=%v", names[i], r, herr != nil && h.Cancelled()))
		}
		if errors.Is(err, aio.ErrCancelled) {
			return out, err
		}
		return out, nil
	})
}

// Groups awaits a group that succeeds and groups where jobs fail.
//
//asyncgo:async
func Groups() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		n := 0
		for _, jobs := range []map[string]int{
			{"a": 10, "b": 20},
			{"a": 10, "bad-b": 15, "c": 50},
			{"bad-x": 10, "bad-y": 10, "z": 30},
		} {
			rs, err := aio.Await(t, Group(jobs))
			logf(l, "group: %v", err)
			for _, r := range rs {
				logf(l, "  %s", r)
			}
			n += len(rs)
		}
		return n, nil
	})
}

var _ = register("tasks_taskgroup_helper", func() { run(Groups()) })

// CancelGroup cancels a task awaiting a TaskGroup helper from outside:
// the group cancels its tasks and the helper's error is the cancellation.
//
//asyncgo:async
func CancelGroup() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, Group(map[string]int{"p": 100, "q": 200}))
		aio.Sleep(t, 150*time.Millisecond)
		h.Cancel()
		rs, err := aio.Await(t, h)
		logf(t.Loop(), "cancelled group: %v %v %v", len(rs), err, h.Cancelled())
		return fmt.Sprint(errors.Is(err, aio.ErrCancelled)), nil
	})
}

var _ = register("tasks_taskgroup_cancelled", func() { run(CancelGroup()) })

// Names sets and reads task names from lowered bodies.
//
//asyncgo:async
func Names() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		before := t.Name()
		t.SetName("renamed")
		h := aio.CreateTask(t, Reporter(), aio.Name("reporter"))
		s, _ := aio.Await(t, h)
		inline, _ := aio.Await(t, Reporter()) // inline: runs in this task
		return fmt.Sprintf("%v -> %s; task says %s; inline says %s", strings.HasPrefix(before, "Task-"), t.Name(), s, inline), nil
	})
}

// Reporter returns its task's name after a turn.
//
//asyncgo:async
func Reporter() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		aio.Sleep(t, 0)
		return t.Name(), nil
	})
}

var _ = register("tasks_names", func() { run(Names()) })
