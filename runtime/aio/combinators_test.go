package aio_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// after returns d's value after sleeping d seconds of virtual time, or
// fails with err if it is not nil.
func after(d int, err error) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if e := aio.Sleep(t, time.Duration(d)*time.Second); e != nil {
			return 0, e
		}
		return d, err
	})
}

// check runs body as the main coroutine and fails the test on its error.
func check(t *testing.T, body func(t *aio.Task) error) {
	t.Helper()
	if _, err := run(t, aio.Async(func(t *aio.Task) (struct{}, error) { return struct{}{}, body(t) })); err != nil {
		t.Fatal(err)
	}
}

func TestGather(t *testing.T) {
	check(t, func(t *aio.Task) error {
		f := aio.NewFuture[int](t.Loop())
		t.Loop().CallLater(time.Second, func() { f.SetResult(10) })
		h := aio.CreateTask(t, after(1, nil))
		rs, err := aio.Gather[int](t, after(3, nil), h, f, h)
		if err != nil || !slices.Equal(rs, []int{3, 1, 10, 1}) {
			return fmt.Errorf("Gather = %v, %v", rs, err)
		}
		if now := t.Loop().Now(); now != time.Unix(3, 0) {
			return fmt.Errorf("done at %v; want concurrently, at 3s", now)
		}
		rs, err = aio.Gather[int](t)
		if err != nil || len(rs) != 0 {
			return fmt.Errorf("empty Gather = %v, %v", rs, err)
		}
		return nil
	})
}

func TestGatherFirstErrorChildrenCarryOn(t *testing.T) {
	check(t, func(t *aio.Task) error {
		boom := errors.New("boom")
		slow := aio.CreateTask(t, after(5, nil))
		_, err := aio.Gather(t, after(1, boom), slow)
		if err != boom {
			return fmt.Errorf("Gather error %v; want boom", err)
		}
		if t.Loop().Now() != time.Unix(1, 0) || slow.Done() {
			return errors.New("Gather did not return at the first error")
		}
		if v, err := aio.Await(t, slow); v != 5 || err != nil {
			return fmt.Errorf("the other child: %v, %v", v, err)
		}
		return nil
	})
}

func TestGatherErrors(t *testing.T) {
	check(t, func(t *aio.Task) error {
		boom := errors.New("boom")
		cancelled := aio.CreateTask(t, after(9, nil))
		t.Loop().CallLater(time.Second, func() { cancelled.Cancel() })
		rs, errs, err := aio.GatherErrors(t, after(2, nil), after(1, boom), cancelled)
		if err != nil {
			return err
		}
		if !slices.Equal(rs, []int{2, 0, 0}) || errs[0] != nil || errs[1] != boom || !errors.Is(errs[2], aio.ErrCancelled) {
			return fmt.Errorf("GatherErrors = %v, %v", rs, errs)
		}
		return nil
	})
}

func TestGatherCancelledCancelsChildren(t *testing.T) {
	check(t, func(t *aio.Task) error {
		a, b := aio.CreateTask(t, after(5, nil)), aio.CreateTask(t, after(6, nil))
		g := aio.CreateTask(t, aio.Async(func(t *aio.Task) ([]int, error) { return aio.Gather[int](t, a, b) }))
		aio.Sleep(t, time.Second)
		g.Cancel()
		if _, err := aio.Await(t, g); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("gathering task: %v", err)
		}
		if !a.Cancelled() || !b.Cancelled() {
			return errors.New("children not cancelled")
		}
		return nil
	})
}

func TestWait(t *testing.T) {
	check(t, func(t *aio.Task) error {
		boom := errors.New("boom")
		mk := func() []*aio.Handle[int] {
			return []*aio.Handle[int]{
				aio.CreateTask(t, after(3, nil)),
				aio.CreateTask(t, after(2, boom)),
				aio.CreateTask(t, after(1, nil)),
			}
		}
		start := t.Loop().Now()
		for _, c := range []struct {
			when            aio.ReturnWhen
			at              time.Duration
			ndone, npending int
		}{
			{aio.FirstCompleted, time.Second, 1, 2},
			{aio.FirstException, 2 * time.Second, 2, 1},
			{aio.AllCompleted, 3 * time.Second, 3, 0},
		} {
			hs := mk()
			done, pending, err := aio.Wait(t, hs, c.when)
			if err != nil || len(done) != c.ndone || len(pending) != c.npending {
				return fmt.Errorf("%v: %d done, %d pending, %v", c.when, len(done), len(pending), err)
			}
			if at := t.Loop().Now().Sub(start); at != c.at {
				return fmt.Errorf("%v returned after %v; want %v", c.when, at, c.at)
			}
			for _, h := range pending {
				h.Cancel()
			}
			aio.GatherErrors[int](t, hs[0], hs[1], hs[2])
			start = t.Loop().Now()
		}
		// The timeout form returns what is done when time runs out.
		hs := mk()
		done, pending, err := aio.WaitTimeout(t, hs, aio.AllCompleted, 1500*time.Millisecond)
		if err != nil || len(done) != 1 || done[0] != hs[2] || len(pending) != 2 {
			return fmt.Errorf("WaitTimeout: %v %v %v", done, pending, err)
		}
		if _, _, err := aio.GatherErrors[int](t, hs[0], hs[1]); err != nil {
			return err
		}
		// Done futures: no suspension.
		done, pending, err = aio.Wait(t, hs, aio.FirstCompleted)
		if len(done) != 3 || len(pending) != 0 || err != nil {
			return fmt.Errorf("Wait on done: %v %v %v", done, pending, err)
		}
		return nil
	})
}

func TestWaitCancelledLeavesFuturesRunning(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, after(5, nil))
		w := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			_, _, err := aio.Wait(t, []*aio.Handle[int]{h}, aio.AllCompleted)
			return 0, err
		}))
		aio.Sleep(t, time.Second)
		w.Cancel()
		if _, err := aio.Await(t, w); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("waiter: %v", err)
		}
		if v, err := aio.Await(t, h); v != 5 || err != nil {
			return fmt.Errorf("waited-for task: %v %v", v, err)
		}
		return nil
	})
}

func TestWaitFor(t *testing.T) {
	check(t, func(t *aio.Task) error {
		if v, err := aio.WaitFor(t, after(1, nil), 2*time.Second); v != 1 || err != nil {
			return fmt.Errorf("in time: %v %v", v, err)
		}
		var innerErr error
		inner := aio.Async(func(t *aio.Task) (int, error) {
			innerErr = aio.Sleep(t, time.Hour)
			return 0, innerErr
		})
		start := t.Loop().Now()
		_, err := aio.WaitFor(t, inner, time.Second)
		if !errors.Is(err, aio.ErrTimeout) || errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("timed out: %v; want ErrTimeout", err)
		}
		if !errors.Is(innerErr, aio.ErrCancelled) || t.Loop().Now().Sub(start) != time.Second {
			return fmt.Errorf("inner got %v at %v", innerErr, t.Loop().Now().Sub(start))
		}
		if t.Cancelling() != 0 {
			return fmt.Errorf("task left with %d cancellations", t.Cancelling())
		}
		// A task awaited with a timeout is cancelled.
		h := aio.CreateTask(t, after(9, nil))
		if _, err := aio.WaitFor[int](t, h, time.Second); !errors.Is(err, aio.ErrTimeout) || !h.Cancelled() {
			return fmt.Errorf("task: %v, cancelled %v", err, h.Cancelled())
		}
		// An inner awaitable that swallows the cancellation wins.
		stubborn := aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, time.Hour)
			return 7, nil
		})
		if v, err := aio.WaitFor(t, stubborn, time.Second); v != 7 || err != nil {
			return fmt.Errorf("stubborn: %v %v", v, err)
		}
		// A zero timeout cancels what is not done without running it.
		ran := false
		_, err = aio.WaitFor(t, aio.Async(func(t *aio.Task) (int, error) { ran = true; return 0, nil }), 0)
		if !errors.Is(err, aio.ErrTimeout) || ran {
			return fmt.Errorf("zero timeout: %v, ran %v", err, ran)
		}
		f := aio.NewFuture[int](t.Loop())
		f.SetResult(3)
		if v, err := aio.WaitFor[int](t, f, 0); v != 3 || err != nil {
			return fmt.Errorf("zero timeout on a done future: %v %v", v, err)
		}
		return nil
	})
}

func TestWaitForOuterCancellationIsNotATimeout(t *testing.T) {
	check(t, func(t *aio.Task) error {
		w := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return aio.WaitFor(t, after(10, nil), 5*time.Second)
		}))
		aio.Sleep(t, time.Second)
		w.Cancel()
		_, err := aio.Await(t, w)
		if !errors.Is(err, aio.ErrCancelled) || errors.Is(err, aio.ErrTimeout) {
			return fmt.Errorf("got %v; want ErrCancelled", err)
		}
		return nil
	})
}

func TestTimeout(t *testing.T) {
	check(t, func(t *aio.Task) error {
		err := aio.Timeout(t, time.Second, func(s *aio.TimeoutScope) error {
			if s.When() != t.Loop().Now().Add(time.Second) {
				return fmt.Errorf("When = %v", s.When())
			}
			return aio.Sleep(t, time.Hour)
		})
		if err != aio.ErrTimeout {
			return fmt.Errorf("Timeout: %v", err)
		}
		// Reschedule moves the deadline.
		start := t.Loop().Now()
		var expired bool
		err = aio.Timeout(t, time.Second, func(s *aio.TimeoutScope) error {
			s.Reschedule(t.Loop().Now().Add(3 * time.Second))
			defer func() { expired = s.Expired() }()
			return aio.Sleep(t, time.Hour)
		})
		if err != aio.ErrTimeout || t.Loop().Now().Sub(start) != 3*time.Second || !expired {
			return fmt.Errorf("rescheduled: %v after %v", err, t.Loop().Now().Sub(start))
		}
		// No deadline.
		err = aio.TimeoutAt(t, time.Time{}, func(s *aio.TimeoutScope) error { return aio.Sleep(t, time.Hour) })
		if err != nil {
			return fmt.Errorf("no deadline: %v", err)
		}
		// A deadline already past expires at the next suspension.
		err = aio.TimeoutAt(t, t.Loop().Now().Add(-time.Second), func(s *aio.TimeoutScope) error { return aio.Sleep(t, 0) })
		if err != aio.ErrTimeout {
			return fmt.Errorf("past deadline: %v", err)
		}
		// Errors other than the cancellation pass through.
		boom := errors.New("boom")
		if err := aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error { return boom }); err != boom {
			return fmt.Errorf("error: %v", err)
		}
		// Nested: the inner deadline is the inner block's.
		err = aio.Timeout(t, 5*time.Second, func(*aio.TimeoutScope) error {
			inner := aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error { return aio.Sleep(t, time.Hour) })
			if inner != aio.ErrTimeout {
				return fmt.Errorf("inner: %v", inner)
			}
			return aio.Sleep(t, time.Hour)
		})
		if err != aio.ErrTimeout || t.Cancelling() != 0 {
			return fmt.Errorf("outer: %v, cancelling %d", err, t.Cancelling())
		}
		return nil
	})
}

func TestAsCompleted(t *testing.T) {
	check(t, func(t *aio.Task) error {
		f := aio.NewFuture[int](t.Loop())
		f.SetResult(0)
		hs := []aio.Waitable{
			aio.CreateTask(t, after(3, nil)),
			aio.CreateTask(t, after(1, errors.New("one"))),
			f,
			aio.CreateTask(t, after(2, nil)),
		}
		var got []string
		for w, err := range aio.AsCompleted(t, append(hs, hs[0])) {
			if err != nil {
				return err
			}
			got = append(got, fmt.Sprintf("%v@%v", w.Err(), t.Loop().Now().Unix()))
		}
		if s := strings.Join(got, " "); s != "<nil>@0 one@1 <nil>@2 <nil>@3" {
			return fmt.Errorf("order %q", s)
		}
		// Cancelled while waiting: ErrCancelled, and the futures carry on.
		h := aio.CreateTask(t, after(5, nil))
		w := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			for _, err := range aio.AsCompleted(t, []*aio.Handle[int]{h}) {
				return 0, err
			}
			return 0, nil
		}))
		aio.Sleep(t, time.Second)
		w.Cancel()
		if _, err := aio.Await(t, w); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("iterating task: %v", err)
		}
		if h.Done() {
			return errors.New("AsCompleted cancelled its future")
		}
		// Stopping early is fine.
		for range aio.AsCompleted(t, []*aio.Handle[int]{h}) {
			break
		}
		return nil
	})
}

func TestShield(t *testing.T) {
	check(t, func(t *aio.Task) error {
		inner := aio.CreateTask(t, after(5, nil))
		outer := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return aio.Shield[int](t, inner) }))
		aio.Sleep(t, time.Second)
		outer.Cancel()
		if _, err := aio.Await(t, outer); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("shielding task: %v", err)
		}
		if inner.Done() {
			return errors.New("the shielded task was cancelled")
		}
		if v, err := aio.Await(t, inner); v != 5 || err != nil {
			return fmt.Errorf("inner: %v %v", v, err)
		}
		// Unbothered, Shield returns the result; cancelling the inner
		// itself does reach the shield.
		if v, err := aio.Shield(t, after(1, nil)); v != 1 || err != nil {
			return fmt.Errorf("Shield: %v %v", v, err)
		}
		inner2 := aio.CreateTask(t, after(5, nil))
		t.Loop().CallLater(time.Second, func() { inner2.Cancel() })
		if _, err := aio.Shield[int](t, inner2); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("inner cancelled: %v", err)
		}
		boom := errors.New("boom")
		if _, err := aio.Shield(t, after(1, boom)); err != boom {
			return fmt.Errorf("inner failed: %v", err)
		}
		return nil
	})
}

func TestTaskGroup(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var a, b *aio.Handle[int]
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			a = aio.CreateTask(t, after(1, nil), aio.InGroup(g))
			b = g.CreateTask(after(2, nil)).(*aio.Handle[int])
			return nil
		})
		if err != nil || !a.Done() || !b.Done() || t.Loop().Now() != time.Unix(2, 0) {
			return fmt.Errorf("group: %v at %v", err, t.Loop().Now())
		}
		late := g2Task(t)
		if _, err := late.Result(); !errors.Is(err, aio.ErrGroupDone) {
			return fmt.Errorf("task in a finished group: %v", err)
		}
		return nil
	})
}

// g2Task creates a task in a group after it finished.
func g2Task(t *aio.Task) *aio.Handle[int] {
	var g *aio.TaskGroup
	aio.WithTaskGroup(t, func(gr *aio.TaskGroup) error { g = gr; return nil })
	return aio.CreateTask(t, after(1, nil), aio.InGroup(g))
}

func TestTaskGroupFirstFailureCancelsSiblings(t *testing.T) {
	check(t, func(t *aio.Task) error {
		e1, e2 := errors.New("first"), errors.New("second")
		var sibling *aio.Handle[int]
		var bodyErr error
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			sibling = aio.CreateTask(t, after(10, nil), aio.InGroup(g))
			aio.CreateTask(t, after(1, e1), aio.InGroup(g))
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
				// Fails while being cancelled: its error is kept too.
				err := aio.Sleep(t, 5*time.Second)
				return 0, fmt.Errorf("%w after %v", e2, err)
			}), aio.InGroup(g))
			bodyErr = aio.Sleep(t, time.Hour) // interrupted by the failure
			return bodyErr
		})
		if !errors.Is(bodyErr, aio.ErrCancelled) {
			return fmt.Errorf("body: %v; want interrupted", bodyErr)
		}
		if !errors.Is(err, e1) || !errors.Is(err, e2) || errors.Is(err, aio.ErrCancelled) && !errors.Is(err, e2) {
			return fmt.Errorf("group error %v", err)
		}
		if got := err.Error(); got != "first\nsecond after aio: cancelled" {
			return fmt.Errorf("joined %q", got)
		}
		if !sibling.Cancelled() || t.Cancelling() != 0 {
			return fmt.Errorf("sibling cancelled %v; parent cancelling %d", sibling.Cancelled(), t.Cancelling())
		}
		if t.Loop().Now() != time.Unix(1, 0) {
			return fmt.Errorf("group ended at %v", t.Loop().Now())
		}
		// The parent carries on.
		return aio.Sleep(t, time.Second)
	})
}

func TestTaskGroupBodyErrorAndOuterCancel(t *testing.T) {
	check(t, func(t *aio.Task) error {
		boom := errors.New("boom")
		var child *aio.Handle[int]
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			child = aio.CreateTask(t, after(10, nil), aio.InGroup(g))
			return boom
		})
		if err == nil || err.Error() != "boom" || !errors.Is(err, boom) || !child.Cancelled() {
			return fmt.Errorf("body error: %v, child cancelled %v", err, child.Cancelled())
		}
		// The parent cancelled from outside while waiting at the end.
		p := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			return 0, aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				child = aio.CreateTask(t, after(10, nil), aio.InGroup(g))
				return nil
			})
		}))
		aio.Sleep(t, time.Second)
		p.Cancel()
		if _, err := aio.Await(t, p); !errors.Is(err, aio.ErrCancelled) || !child.Cancelled() {
			return fmt.Errorf("outer cancel: %v, child cancelled %v", err, child.Cancelled())
		}
		return nil
	})
}

func TestGatherSameCoroutineTwice(t *testing.T) {
	check(t, func(t *aio.Task) error {
		runs := 0
		c := aio.Async(func(t *aio.Task) (int, error) { runs++; return 5, aio.Sleep(t, time.Second) })
		rs, err := aio.Gather(t, c, after(2, nil), c)
		if err != nil || !slices.Equal(rs, []int{5, 2, 5}) || runs != 1 {
			return fmt.Errorf("Gather(c, x, c) = %v, %v; ran %d times", rs, err, runs)
		}
		// A coroutine run before is an error, not a duplicate.
		_, err = aio.Gather(t, c)
		if !errors.Is(err, aio.ErrCoroutineReused) {
			return fmt.Errorf("Gather of a spent coroutine: %v", err)
		}
		done, pending, err := aio.Wait[*aio.Handle[int]](t, nil, aio.AllCompleted)
		if done != nil || pending != nil || err != nil {
			return fmt.Errorf("Wait on nothing: %v %v %v", done, pending, err)
		}
		return nil
	})
}

func TestSmallAccessors(t *testing.T) {
	if aio.FirstCompleted.String() != "FIRST_COMPLETED" || aio.FirstException.String() != "FIRST_EXCEPTION" ||
		aio.AllCompleted.String() != "ALL_COMPLETED" || aio.ReturnWhen(9).String() != "ReturnWhen(?)" {
		t.Error("ReturnWhen names")
	}
	pe := &aio.PanicError{Value: errors.New("inner")}
	if pe.Error() != "aio: task panicked: inner" || !errors.Is(pe, pe.Value.(error)) {
		t.Error("PanicError")
	}
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, after(1, nil))
		h.SetName("renamed")
		if h.Name() != "renamed" || h.Loop() != t.Loop() || h.Cancelling() != 0 {
			return errors.New("handle accessors")
		}
		h.Cancel()
		if h.Cancelling() != 1 {
			return fmt.Errorf("Cancelling = %d", h.Cancelling())
		}
		_, err := aio.Await(t, h)
		if h.Err() != err || !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("Err = %v, await = %v", h.Err(), err)
		}
		return nil
	})
}

func TestTaskGroupBodyPanicCancelsTasks(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var child *aio.Handle[int]
		func() {
			defer func() { recover() }()
			aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
				child = aio.CreateTask(t, after(10, nil), aio.InGroup(g))
				panic("body broke")
			})
		}()
		if _, err := aio.Await(t, child); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("child of a panicked group: %v", err)
		}
		return nil
	})
}
