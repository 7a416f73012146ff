package aio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// TestAwaiterStartMachine: a lowered body awaits a machine it keeps and
// reuses, started with StartMachine, as it awaits that machine's
// coroutine with Start: inline in its task, with the machine's results,
// suspensions, cancellation and panics.
func TestAwaiterStartMachine(t *testing.T) {
	var log []string
	m := new(fetcher) // the callee's machine, reused by each await
	var aw aio.Awaiter[int]
	var got []string
	await := func(d int) stage {
		return stage{
			start: func(t *aio.Task) stepper {
				*m = fetcher{d: d, log: &log}
				aw.StartMachine(t, m)
				return &aw
			},
			end: func() error {
				v, err := aw.Result()
				got = append(got, fmt.Sprintf("%d %v", v, err))
				return nil
			},
		}
	}
	check(t, func(task *aio.Task) error {
		s := &script{stages: []stage{await(2), await(1)}}
		h := aio.CreateTask(task, aio.FromMachine[unit](s), aio.Name("outer"))
		if _, err := aio.Await(task, h); err != nil {
			return err
		}
		// Each await: a 1s sleep, a child task of d seconds, a turn.
		if now := task.Loop().Now(); now != time.Unix(5, 0) {
			return fmt.Errorf("awaits done at %v; want 5s", now)
		}

		// Cancelling the awaiting task delivers ErrCancelled in the
		// machine, where it is suspended (the child it awaits is
		// cancelled), and the await returns it.
		s = &script{stages: []stage{await(5)}}
		h = aio.CreateTask(task, aio.FromMachine[unit](s))
		aio.Sleep(task, 2*time.Second)
		h.Cancel()
		if _, err := aio.Await(task, h); err != nil || !m.child.Cancelled() {
			return fmt.Errorf("cancelled await: task %v, child cancelled %v", err, m.child.Cancelled())
		}

		// A panic in the machine goes on through the awaiting body: the
		// task fails with it.
		var boom aio.Awaiter[int]
		s = new(script).then(func(t *aio.Task) stepper {
			boom.StartMachine(t, stepFunc(func(*aio.Task, error) (aio.Waitable, bool, int, error) { panic("boom") }))
			return &boom
		}, nil)
		_, err := aio.Await(task, aio.CreateTask(task, aio.FromMachine[unit](s)))
		if pe := (*aio.PanicError)(nil); !errors.As(err, &pe) || pe.Value != "boom" {
			return fmt.Errorf("panicking machine: %v", err)
		}
		return nil
	})
	want := []string{"20 <nil>", "10 <nil>", "0 " + aio.ErrCancelled.Error()}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("awaits returned %q; want %q", got, want)
	}
	if l := strings.Join(log, " "); l != "deferred deferred deferred" {
		t.Errorf("the machine's defers ran %q; want three times", l)
	}
}

// recoveringInner is a lowered body as the rewriter generates it for
//
//	aio.Async(func(t *aio.Task) (res int, err error) {
//		defer func() {
//			if v := recover(); v != nil {
//				o.printf("inner recovered %v", v)
//				res, err = -1, nil
//			}
//		}()
//		err = aio.Sleep(t, time.Hour)
//		return 1, err
//	})
type recoveringInner struct {
	pc int
	f  aio.Frame[int]
	sl aio.Sleeper
	o  *opLog
}

func (m *recoveringInner) Step(t *aio.Task, thrown error) (w aio.Waitable, done bool, r int, err error) {
	defer m.f.Unwind(&m.pc, &done, &r, &err)
	pc := m.pc
	m.pc = 0
	if pc == 1 {
		goto resume
	}
	m.f.Push(func() {
		if v := recover(); v != nil {
			m.o.printf("inner recovered %v", v)
			m.f.R, m.f.E = -1, nil
		}
	})
	m.sl.Start(t, time.Hour)
	thrown = nil
resume:
	if sw, s := m.sl.Step(t, thrown); s {
		m.pc = 1
		return sw, false, 0, nil
	}
	m.f.E = m.sl.Result()
	m.f.R = 1
	m.f.Return(&done, &r, &err)
	return
}

// closeRecoveredCase runs an outer task, direct or lowered, that awaits an
// inner coroutine, direct or lowered, sleeping an hour, whose deferred
// recover stops the unwinding of Loop.Close; the outer body then sleeps,
// yields and awaits a direct coroutine that sleeps. It returns the log.
func closeRecoveredCase(t *testing.T, outerLowered, innerLowered bool) string {
	o := &opLog{}
	inner := func() *aio.Coroutine[int] {
		if innerLowered {
			return aio.FromMachine[int](&recoveringInner{o: o})
		}
		return aio.Async(func(t *aio.Task) (res int, err error) {
			defer func() {
				if v := recover(); v != nil {
					o.printf("inner recovered %v", v)
					res, err = -1, nil
				}
			}()
			err = aio.Sleep(t, time.Hour)
			return 1, err
		})
	}
	sleeper := func() *aio.Coroutine[int] {
		return aio.Async(func(t *aio.Task) (int, error) {
			err := aio.Sleep(t, time.Second)
			o.printf("sleeper: %v", err)
			return 7, err
		})
	}
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		o.l = l
		var outer *aio.Handle[unit]
		if outerLowered {
			var aw, aw2 aio.Awaiter[int]
			var sl aio.Sleeper
			sleep := func(d time.Duration) stage {
				return stage{
					func(t *aio.Task) stepper { sl.Start(t, d); return &sl },
					func() error { o.printf("outer sleep %v: %v", d, sl.Result()); return nil },
				}
			}
			s := &script{stages: []stage{
				{func(t *aio.Task) stepper { aw.Start(t, inner()); return &aw }, func() error {
					n, err := aw.Result()
					o.printf("outer after inner: %d %v", n, err)
					return nil
				}},
				sleep(time.Second), sleep(0),
				{func(t *aio.Task) stepper { aw2.Start(t, sleeper()); return &aw2 }, func() error {
					n, err := aw2.Result()
					o.printf("outer after sleeper: %d %v", n, err)
					return nil
				}},
			}}
			s.deferred(func() { o.printf("outer deferred") })
			outer = aio.NewTask(l, aio.FromMachine[unit](&recoverMachine{s, func(v any) { panic(v) }}))
		} else {
			outer = aio.NewTask(l, aio.Async(func(t *aio.Task) (unit, error) {
				defer o.printf("outer deferred")
				n, err := aio.Await(t, inner())
				o.printf("outer after inner: %d %v", n, err)
				for _, d := range []time.Duration{time.Second, 0} {
					o.printf("outer sleep %v: %v", d, aio.Sleep(t, d))
				}
				n, err = aio.Await(t, sleeper())
				o.printf("outer after sleeper: %d %v", n, err)
				return unit{}, nil
			}))
		}
		brief := aio.Async(func(t *aio.Task) (unit, error) { return unit{}, aio.Sleep(t, time.Second) })
		if err := l.RunUntilComplete(brief); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		_, err := outer.Result()
		o.printf("outer: %v cancelled=%v", err, outer.Cancelled())
	})
	return strings.Join(o.lines, "|")
}

// TestCloseRecoveredInline: when an awaited coroutine stops the unwinding
// of Loop.Close with a deferred recover and returns, the await returns
// its results and the awaiting body carries on, each later suspension
// failing at once with ErrLoopClosed, whichever of the two bodies is
// lowered (testdata/rewrite/failing/close_recovered_inline).
func TestCloseRecoveredInline(t *testing.T) {
	want := strings.Join([]string{
		"1s inner recovered &{aio: loop closed}",
		"1s outer after inner: -1 <nil>",
		"1s outer sleep 1s: aio: event loop is closed",
		"1s outer sleep 0s: aio: event loop is closed",
		"1s sleeper: aio: event loop is closed",
		"1s outer after sleeper: 7 aio: event loop is closed",
		"1s outer deferred",
		"1s outer: <nil> cancelled=false",
	}, "|")
	for _, outer := range []bool{false, true} {
		for _, inner := range []bool{false, true} {
			if got := closeRecoveredCase(t, outer, inner); got != want {
				t.Errorf("outer lowered %v, inner lowered %v:\n%s\nwant\n%s",
					outer, inner, strings.ReplaceAll(got, "|", "\n"), strings.ReplaceAll(want, "|", "\n"))
			}
		}
	}
}
