package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// WithTaskGroup blocks inside lowered bodies, their callbacks inlined
// (asyncio.TaskGroup: the exit waits for the group's tasks; the first
// failure cancels the others and the body; a body error cancels them; a
// cancellation from outside during the exit's wait cancels them and comes
// out once they are done; errors are joined).

// GJob sleeps ms milliseconds and returns its name; "bad" jobs fail.
//
//asyncgo:async
func GJob(name string, ms int) *aio.Coroutine[string] {
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

// GroupRun creates jobs in a group, awaits one more inline inside the
// block (which a failure interrupts), and fails the body when bodyFails.
//
//asyncgo:async
func GroupRun(jobs []string, ms []int, inlineMs int, bodyFails bool) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var hs []*aio.Handle[string]
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			for i, n := range jobs {
				hs = append(hs, aio.CreateGroupTask(g, GJob(n, ms[i])))
			}
			v, err := aio.Await(t, GJob("inline", inlineMs))
			logf(l, "inline in block: %q %v cancelling=%d", v, err, t.Cancelling())
			if err != nil {
				return err
			}
			if bodyFails {
				return fmt.Errorf("body: %w", errBoom)
			}
			return nil
		})
		logf(l, "group: %v boom=%v cancelled=%v cancelling=%d", err, errors.Is(err, errBoom), errors.Is(err, aio.ErrCancelled), t.Cancelling())
		var rs []string
		for i, h := range hs {
			r, herr := h.Result()
			rs = append(rs, fmt.Sprintf("%s:%q cancelled=%v", jobs[i], r, herr != nil && h.Cancelled()))
		}
		return strings.Join(rs, " "), err
	})
}

var _ = register("scopes_group_success", func() { run(GroupRun([]string{"a", "b"}, []int{10, 30}, 5, false)) })
var _ = register("scopes_group_child_fails", func() { run(GroupRun([]string{"a", "bad-b", "c"}, []int{10, 15, 50}, 40, false)) })
var _ = register("scopes_group_two_fail", func() { run(GroupRun([]string{"bad-x", "bad-y", "z"}, []int{10, 10, 30}, 5, false)) })
var _ = register("scopes_group_body_fails", func() { run(GroupRun([]string{"a", "b"}, []int{10, 30}, 5, true)) })
var _ = register("scopes_group_empty", func() { run(GroupRun(nil, nil, 0, false)) })

// GCancel runs c as a task and cancels it after ms milliseconds.
//
//asyncgo:async
func GCancel(c *aio.Coroutine[string], ms int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, c)
		aio.Sleep(t, time.Duration(ms)*time.Millisecond)
		logf(t.Loop(), "cancel -> %v", h.Cancel())
		r, err := aio.Await(t, h)
		return fmt.Sprint(r, " | ", err, " cancelled=", h.Cancelled()), nil
	})
}

// Cancelled from outside while the exit waits for the tasks, and while
// the body awaits inside the block; and while the exit waits with a task
// that fails as it is cancelled.
var _ = register("scopes_group_cancel_in_exit", func() { run(GCancel(GroupRun([]string{"p", "q"}, []int{100, 200}, 5, false), 50)) })
var _ = register("scopes_group_cancel_in_body", func() { run(GCancel(GroupRun([]string{"p", "q"}, []int{100, 200}, 80, false), 50)) })

// Stubborn fails when it is cancelled.
//
//asyncgo:async
func Stubborn() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		if err := aio.Sleep(t, time.Second); err != nil {
			logf(t.Loop(), "stubborn: %v", err)
			return "", fmt.Errorf("stubborn: %w", errBoom)
		}
		return "stubborn", nil
	})
}

// GStubborn's group holds a task that fails as it is cancelled: its error
// takes precedence over the cancellation from outside.
//
//asyncgo:async
func GStubborn() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			g.CreateTask(Stubborn())
			aio.CreateTask(t, GJob("outside", 5), aio.InGroup(g))
			return nil
		})
		logf(t.Loop(), "group: %v cancelling=%d", err, t.Cancelling())
		return "", err
	})
}

var _ = register("scopes_group_cancel_failing_child", func() { run(GCancel(GStubborn(), 50)) })

// Nested groups and a timeout around a group: the timeout fires while the
// group's exit waits, so the group cancels its tasks, and the block's
// error is the timeout.
//
//asyncgo:async
func GNested() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var inner error
		err := aio.WithTaskGroup(t, func(outer *aio.TaskGroup) error {
			aio.CreateGroupTask(outer, GJob("o1", 10))
			inner = aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				aio.CreateGroupTask(g, GJob("i1", 20))
				aio.CreateGroupTask(g, GJob("bad-i2", 25))
				return nil
			})
			logf(l, "inner: %v cancelling=%d", inner, t.Cancelling())
			_, err := aio.Await(t, GJob("after-inner", 5))
			return err
		})
		logf(l, "outer: %v", err)
		terr := aio.Timeout(t, 30*time.Millisecond, func(*aio.TimeoutScope) error {
			return aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				aio.CreateGroupTask(g, GJob("slow", 100))
				return nil
			})
		})
		logf(l, "timeout around group: %v cancelling=%d", terr, t.Cancelling())
		return fmt.Sprint(inner != nil, err, terr), nil
	})
}

var _ = register("scopes_group_nested", func() { run(GNested()) })
