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
