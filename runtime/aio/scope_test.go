package aio_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// A panic leaving a Timeout block disarms its deadline (Python's
// __aexit__ runs for any exception): a body that recovers it and sleeps
// past the deadline is not cancelled.
func TestTimeoutPanicDisarms(t *testing.T) {
	check(t, func(t *aio.Task) error {
		func() {
			defer func() { recover() }()
			aio.Timeout(t, time.Second, func(s *aio.TimeoutScope) error {
				aio.Sleep(t, 0)
				panic("boom")
			})
		}()
		if err := aio.Sleep(t, 5*time.Second); err != nil {
			return fmt.Errorf("sleep after the panicked block: %v", err)
		}
		// Expired then panicked: the block's cancellation is withdrawn.
		func() {
			defer func() { recover() }()
			aio.Timeout(t, time.Second, func(s *aio.TimeoutScope) error {
				err := aio.Sleep(t, time.Hour)
				panic(fmt.Sprint("after ", err))
			})
		}()
		if n := t.Cancelling(); n != 0 {
			return fmt.Errorf("cancelling = %d after an expired block panicked", n)
		}
		return aio.Sleep(t, time.Second)
	})
}

// A panic leaving a WithTaskGroup block cancels the group's tasks without
// waiting for them, and the group takes no more.
func TestTaskGroupPanicAborts(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var h *aio.Handle[int]
		var g *aio.TaskGroup
		func() {
			defer func() { recover() }()
			aio.WithTaskGroup(t, func(tg *aio.TaskGroup) error {
				g = tg
				h = aio.CreateGroupTask(tg, after(10, nil))
				aio.Sleep(t, 0)
				panic("boom")
			})
		}()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("the group's task: %v; want cancelled", err)
		}
		if _, err := aio.Await(t, aio.CreateGroupTask(g, after(1, nil))); !errors.Is(err, aio.ErrGroupDone) {
			return fmt.Errorf("a task added after: %v; want ErrGroupDone", err)
		}
		return nil
	})
}

// groupMachine is a hand-written lowered body around a TaskGroupBlock:
// it enters the block, creates the tasks, and suspends at the exit until
// they are done.
type groupMachine struct {
	pc    int
	op    aio.TaskGroupBlock
	steps int
}

func (m *groupMachine) Step(t *aio.Task, thrown error) (w aio.Waitable, done bool, r int, err error) {
	if m.pc == 0 {
		m.op.Start(t)
		aio.CreateGroupTask(m.op.Group(), after(2, nil))
		aio.CreateGroupTask(m.op.Group(), after(3, errors.New("bad")))
		m.op.Exit(t, nil)
		m.pc, thrown = 1, nil
	}
	if w, s := m.op.Step(t, thrown); s {
		m.steps++
		return w, false, 0, nil
	}
	return nil, true, m.steps, m.op.Result()
}

// The operations driven as a lowered body drives them: a TaskGroupBlock's
// exit suspends until its tasks are done; a TimeoutBlock's never does.
func TestScopeBlocksByHand(t *testing.T) {
	check(t, func(t *aio.Task) error {
		n, err := aio.Await(t, aio.FromMachine[int](&groupMachine{}))
		if err == nil || err.Error() != "bad" || n == 0 || t.Loop().Now() != time.Unix(3, 0) {
			return fmt.Errorf("TaskGroupBlock: %v after %d suspensions at %v", err, n, t.Loop().Now())
		}
		var to aio.TimeoutBlock
		to.Start(t, time.Second)
		if to.Scope().When() != t.Loop().Now().Add(time.Second) {
			return fmt.Errorf("When = %v", to.Scope().When())
		}
		to.Exit(t, nil)
		if _, s := to.Step(t, nil); s {
			return errors.New("a timeout's exit suspended")
		}
		return to.Result()
	})
}

// A body that stops the unwinding of Loop.Close and then exits a task
// group whose tasks cannot end (their loop is closed) does not wait for
// them forever: the group's wait fails with ErrLoopClosed.
func TestTaskGroupAfterLoopClosed(t *testing.T) {
	l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
	var got error
	done := false
	h := aio.NewTask(l, aio.Async(func(t *aio.Task) (int, error) {
		got = aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			aio.CreateGroupTask(g, after(7200, nil))
			func() {
				defer func() { recover() }()
				aio.Sleep(t, time.Hour) // Loop.Close unwinds it here
			}()
			return nil
		})
		done = true
		return 0, got
	}))
	if err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, time.Second) })); err != nil {
		t.Fatal(err)
	}
	finished := make(chan error, 1)
	go func() { finished <- l.Close() }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("Loop.Close hangs: the group waits for tasks of a closed loop")
	}
	if !done || !errors.Is(got, aio.ErrLoopClosed) {
		t.Errorf("WithTaskGroup after the loop closed: %v (returned %v); want ErrLoopClosed", got, done)
	}
	_ = h
}
