package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Timeout and TimeoutAt blocks inside lowered bodies, their callbacks
// inlined (asyncio.timeout: the expired block's cancellation becomes
// ErrTimeout at its exit, Uncancel bookkeeping, Reschedule).

// TFetch sleeps ms milliseconds and returns v, logging a cancellation.
//
//asyncgo:async
func TFetch(v, ms int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, time.Duration(ms)*time.Millisecond); err != nil {
			logf(t.Loop(), "fetch %d cancelled: %v", v, err)
			return -1, err
		}
		return v, nil
	})
}

// TDeadline awaits TFetch(v, ms) under a timeout of lim milliseconds; the
// callback returns from inside its branches, sets outer variables and
// reads the scope.
//
//asyncgo:async
func TDeadline(v, ms, lim int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		got := 0
		err := aio.Timeout(t, time.Duration(lim)*time.Millisecond, func(s *aio.TimeoutScope) error {
			logf(l, "enter: deadline in %v", s.When().Sub(l.Now()))
			r, err := aio.Await(t, TFetch(v, ms))
			if err != nil {
				logf(l, "await in block: %v expired=%v cancelling=%d", err, s.Expired(), t.Cancelling())
				return err
			}
			got = r
			if r%2 == 1 {
				return fmt.Errorf("odd %d", r)
			}
			return nil
		})
		logf(l, "block: %v timeout=%v cancelling=%d got=%d", err, errors.Is(err, aio.ErrTimeout), t.Cancelling(), got)
		return fmt.Sprint(got, " ", err), nil
	})
}

var _ = register("scopes_timeout_fires", func() { run(TDeadline(4, 100, 50)) })
var _ = register("scopes_timeout_not_fired", func() { run(TDeadline(4, 10, 50)) })
var _ = register("scopes_timeout_body_error", func() { run(TDeadline(3, 10, 50)) })

// TResched moves the deadline from inside the block: later (the await
// finishes), earlier (it fires sooner), and away (no deadline).
//
//asyncgo:async
func TResched() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		n := 0
		for i, move := range []int{200, 5, 0} {
			err := aio.Timeout(t, 50*time.Millisecond, func(s *aio.TimeoutScope) error {
				aio.Sleep(t, 0)
				if move == 0 {
					s.Reschedule(time.Time{})
				} else {
					s.Reschedule(l.Now().Add(time.Duration(move) * time.Millisecond))
				}
				logf(l, "%d: when %v", i, s.When().Sub(epoch))
				r, err := aio.Await(t, TFetch(i, 100))
				n += r
				return err
			})
			logf(l, "%d: %v", i, err)
		}
		// TimeoutAt with a deadline already past: fires at the first
		// suspension.
		err := aio.TimeoutAt(t, l.Now().Add(-time.Second), func(*aio.TimeoutScope) error {
			logf(l, "past deadline entered")
			return aio.Sleep(t, 0)
		})
		logf(l, "past: %v", err)
		return n, nil
	})
}

var _ = register("scopes_timeout_reschedule", func() { run(TResched()) })

// TNested blocks: the inner deadline fires (the outer goes on), or the
// outer one fires while the inner block runs (the inner block passes the
// cancellation on, the outer turns it into its timeout).
//
//asyncgo:async
func TNested(inner, outer int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		var trail []string
		err := aio.Timeout(t, time.Duration(outer)*time.Millisecond, func(so *aio.TimeoutScope) error {
			ierr := aio.Timeout(t, time.Duration(inner)*time.Millisecond, func(si *aio.TimeoutScope) error {
				_, err := aio.Await(t, TFetch(1, 100))
				trail = append(trail, fmt.Sprintf("inner await %v (inner expired=%v outer expired=%v)", err, si.Expired(), so.Expired()))
				return err
			})
			trail = append(trail, fmt.Sprintf("inner block %v", ierr))
			if errors.Is(ierr, aio.ErrTimeout) {
				_, err := aio.Await(t, TFetch(2, 20))
				return err
			}
			return ierr
		})
		logf(l, "outer block %v cancelling=%d", err, t.Cancelling())
		for _, s := range trail {
			logf(l, "  %s", s)
		}
		return fmt.Sprint(err), nil
	})
}

var _ = register("scopes_timeout_nested_inner", func() { run(TNested(30, 200)) })
var _ = register("scopes_timeout_nested_outer", func() { run(TNested(300, 40)) })

// TOuterCancel is cancelled from outside while its block waits: the
// cancellation is not the block's, so it comes out as ErrCancelled, and
// again when the deadline had also passed before it ran.
//
//asyncgo:async
func TOuterCancel(lim int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		err := aio.Timeout(t, time.Duration(lim)*time.Millisecond, func(s *aio.TimeoutScope) error {
			_, err := aio.Await(t, TFetch(7, 1000))
			logf(l, "in block: %v expired=%v cancelling=%d", err, s.Expired(), t.Cancelling())
			return err
		})
		logf(l, "block: %v timeout=%v cancelled=%v cancelling=%d", err, errors.Is(err, aio.ErrTimeout), errors.Is(err, aio.ErrCancelled), t.Cancelling())
		return "", err
	})
}

// TCancelAt runs c as a task and cancels it after ms milliseconds.
//
//asyncgo:async
func TCancelAt(c *aio.Coroutine[string], ms int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		h := aio.CreateTask(t, c)
		aio.Sleep(t, time.Duration(ms)*time.Millisecond)
		logf(t.Loop(), "cancel -> %v", h.Cancel())
		r, err := aio.Await(t, h)
		return fmt.Sprint(r, " ", err, " cancelled=", h.Cancelled()), nil
	})
}

var _ = register("scopes_timeout_outer_cancel", func() { run(TCancelAt(TOuterCancel(500), 30)) })
var _ = register("scopes_timeout_outer_cancel_same_turn", func() { run(TCancelAt(TOuterCancel(30), 30)) })
