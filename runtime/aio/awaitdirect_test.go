package aio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// A lowered body that awaits a direct-mode coroutine runs it inside its
// own task, as the direct-mode Await of a coroutine does (Python's await
// of a coroutine runs it in the awaiting task): each case runs the same
// direct-mode inner coroutine awaited by a direct-mode body and by a
// lowered one (a script stepping an Awaiter), and both must log the same
// lines at the same virtual times, in the same order against a task that
// ticks beside them.

// innerOutcome is what awaitDirectCase's outer body logs of its await.
func innerOutcome(n int, err error) string {
	var pe *aio.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%d *PanicError %v", n, pe.Value)
	}
	return fmt.Sprintf("%d %v", n, err)
}

// awaitDirectCase runs inner, awaited by the body of a task named outer
// (direct or lowered), while main runs mainDo; the outer body defers a
// recover that logs what it sees.
func awaitDirectCase(t *testing.T, lowered bool, inner func(o *opLog) *aio.Coroutine[int], mainDo func(t *aio.Task, o *opLog, outer *aio.Handle[unit])) string {
	o := &opLog{}
	check(t, func(task *aio.Task) error {
		o.l = task.Loop()
		recovered := func(v any) { o.printf("outer recovered %v", v) }
		var outer *aio.Handle[unit]
		if lowered {
			var aw aio.Awaiter[int]
			s := new(script).then(func(t *aio.Task) stepper { aw.Start(t, inner(o)); return &aw }, func() error {
				o.printf("outer: %s", innerOutcome(aw.Result()))
				return nil
			})
			outer = aio.CreateTask(task, aio.FromMachine[unit](&recoverMachine{s, recovered}), aio.Name("outer"))
		} else {
			outer = aio.CreateTask(task, aio.Async(func(t *aio.Task) (unit, error) {
				defer func() {
					if v := recover(); v != nil {
						recovered(v)
					}
				}()
				o.printf("outer: %s", innerOutcome(aio.Await(t, inner(o))))
				return unit{}, nil
			}), aio.Name("outer"))
		}
		aio.CreateTask(task, aio.Async(func(t *aio.Task) (unit, error) {
			for i := range 3 {
				o.printf("tick %d", i)
				aio.Sleep(t, 0)
			}
			return unit{}, nil
		}), aio.Name("ticker"))
		mainDo(task, o, outer)
		_, err := aio.Await(task, outer)
		o.printf("outer task: %s cancelled=%v", innerOutcome(0, err), outer.Cancelled())
		// The next task's default name: no task was made for the await.
		o.printf("next task %s", aio.CreateTask(task, aio.Async(func(*aio.Task) (unit, error) { return unit{}, nil })).Name())
		return nil
	})
	return strings.Join(o.lines, "|")
}

func TestAwaitDirectCoroutineInLoweredBody(t *testing.T) {
	cases := []struct {
		name   string
		inner  func(o *opLog) *aio.Coroutine[int]
		mainDo func(t *aio.Task, o *opLog, outer *aio.Handle[unit])
		want   string
	}{{
		// The body's task is the awaiting one; a cancellation reaches it
		// at its own suspension, and Uncancel withdraws the awaiting
		// task's request; both results come back.
		name: "task-cancel-uncancel-results",
		inner: func(o *opLog) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				l := t.Loop()
				o.printf("inner in %s: current %v, %d tasks", t.Name(), aio.CurrentTask(l) == t, len(aio.AllTasks(l)))
				err := aio.Sleep(t, 10*time.Millisecond)
				o.printf("inner sleep: %v, cancelling %d", err, t.Cancelling())
				o.printf("inner uncancel: %d", t.Uncancel())
				o.printf("inner sleep again: %v", aio.Sleep(t, 10*time.Millisecond))
				return 7, errBoom
			})
		},
		mainDo: func(t *aio.Task, o *opLog, outer *aio.Handle[unit]) {
			aio.Sleep(t, 5*time.Millisecond)
			o.printf("cancel %v, outer cancelling %d", outer.Cancel(), outer.Cancelling())
		},
		want: "0s inner in outer: current true, 3 tasks|0s tick 0|0s tick 1|0s tick 2|" +
			"5ms cancel true, outer cancelling 1|5ms inner sleep: aio: cancelled, cancelling 1|5ms inner uncancel: 0|" +
			"15ms inner sleep again: <nil>|15ms outer: 7 boom|15ms outer task: 0 <nil> cancelled=false|15ms next task Task-4",
	}, {
		// A panic goes on through the awaiting body, whose recover sees
		// the value itself.
		name: "panic-recovered",
		inner: func(o *opLog) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				aio.Sleep(t, time.Millisecond)
				panic("inner boom")
			})
		},
		mainDo: func(*aio.Task, *opLog, *aio.Handle[unit]) {},
		want:   "0s tick 0|0s tick 1|0s tick 2|1ms outer recovered inner boom|1ms outer task: 0 <nil> cancelled=false|1ms next task Task-4",
	}, {
		// The body's own recover stops its panic; the value it returns
		// comes back.
		name: "panic-recovered-inside",
		inner: func(o *opLog) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (n int, err error) {
				defer func() {
					if v := recover(); v != nil {
						o.printf("inner recovered %v", v)
						n = 3
					}
				}()
				aio.Sleep(t, 0)
				panic("inner boom")
			})
		},
		mainDo: func(*aio.Task, *opLog, *aio.Handle[unit]) {},
		want:   "0s tick 0|0s inner recovered inner boom|0s outer: 3 <nil>|0s tick 1|0s outer task: 0 <nil> cancelled=false|0s next task Task-4|0s tick 2",
	}, {
		// The awaiting body gets the inner body's ErrCancelled (and,
		// swallowing it, ends its task with a result).
		name: "cancelled",
		inner: func(o *opLog) *aio.Coroutine[int] {
			return aio.Async(func(t *aio.Task) (int, error) {
				return 0, aio.Sleep(t, time.Hour)
			})
		},
		mainDo: func(t *aio.Task, o *opLog, outer *aio.Handle[unit]) {
			aio.Sleep(t, 0)
			o.printf("cancel %v", outer.Cancel())
		},
		want: "0s tick 0|0s cancel true|0s tick 1|0s outer: 0 aio: cancelled|0s tick 2|0s outer task: 0 <nil> cancelled=false|0s next task Task-4",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			direct := awaitDirectCase(t, false, c.inner, c.mainDo)
			lowered := awaitDirectCase(t, true, c.inner, c.mainDo)
			if direct != c.want {
				t.Errorf("direct:\n%s\nwant:\n%s", strings.ReplaceAll(direct, "|", "\n"), strings.ReplaceAll(c.want, "|", "\n"))
			}
			if lowered != direct {
				t.Errorf("lowered differs from direct:\n%s\ndirect:\n%s", strings.ReplaceAll(lowered, "|", "\n"), strings.ReplaceAll(direct, "|", "\n"))
			}
		})
	}
}

// TestAwaitDirectCoroutineLoopClose: Loop.Close unwinds a direct-mode body
// suspended inside a lowered one, the inner body's deferred calls first,
// then the outer's, which see the same panic as in direct mode; no runner
// is left behind (goleak checks the package's goroutines, main_test.go).
func TestAwaitDirectCoroutineLoopClose(t *testing.T) {
	for _, lowered := range []bool{false, true} {
		var log []string
		l := aio.NewLoop()
		inner := aio.Async(func(t *aio.Task) (int, error) {
			defer func() { log = append(log, "inner deferred") }()
			return 0, aio.Sleep(t, time.Hour)
		})
		recovered := func(v any) {
			log = append(log, "outer deferred, unwinding")
			panic(v)
		}
		var outer *aio.Handle[unit]
		if lowered {
			var aw aio.Awaiter[int]
			s := new(script).then(func(t *aio.Task) stepper { aw.Start(t, inner); return &aw }, func() error { aw.Result(); return nil })
			outer = aio.NewTask(l, aio.FromMachine[unit](&recoverMachine{s, recovered}))
		} else {
			outer = aio.NewTask(l, aio.Async(func(t *aio.Task) (unit, error) {
				defer func() {
					if v := recover(); v != nil {
						recovered(v)
					}
				}()
				aio.Await(t, inner)
				return unit{}, nil
			}))
		}
		if err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (unit, error) { return unit{}, aio.Sleep(t, 0) })); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		want := "inner deferred|outer deferred, unwinding"
		if got := strings.Join(log, "|"); got != want {
			t.Errorf("lowered=%v: %s; want %s", lowered, got, want)
		}
		if !outer.Cancelled() {
			t.Errorf("lowered=%v: outer task %v; want cancelled", lowered, outer)
		}
	}
}

// recoverMachine steps s as a lowered body whose deferred function
// recovers a panic and passes it to recovered (which may panic again): a
// script runs its own deferred calls only when it ends, a lowered body's
// Frame runs them while a panic unwinds it too.
type recoverMachine struct {
	s         *script
	recovered func(v any)
}

func (m *recoverMachine) Step(t *aio.Task, thrown error) (w aio.Waitable, done bool, r unit, err error) {
	defer func() {
		if v := recover(); v != nil {
			m.recovered(v)
			w, done, r, err = nil, true, unit{}, nil // returns after the recover
		}
	}()
	return m.s.Step(t, thrown)
}
