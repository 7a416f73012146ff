package aio_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// fetcher is a hand-written lowered body, as the rewriter would generate
// it for
//
//	func fetch(d int) *aio.Coroutine[int] {
//		return aio.Async(func(t *aio.Task) (int, error) {
//			defer log("deferred")
//			if err := aio.Sleep(t, time.Second); err != nil {
//				return 0, err
//			}
//			v, err := aio.Await(t, after(d, nil))
//			if err != nil {
//				return 0, err
//			}
//			aio.Sleep(t, 0)
//			return v * 10, nil
//		})
//	}
type fetcher struct {
	d     int
	state int
	sleep *aio.Future[struct{}]
	child *aio.Handle[int]
	v     int
	log   *[]string
}

func (m *fetcher) Step(t *aio.Task, thrown error) (w aio.Waitable, done bool, r int, err error) {
	fail := func(err error) (aio.Waitable, bool, int, error) {
		*m.log = append(*m.log, "deferred")
		return nil, true, 0, err
	}
	if thrown != nil {
		return fail(thrown)
	}
	switch m.state {
	case 0:
		m.state = 1
		m.sleep = aio.After(t.Loop(), time.Second)
		return m.sleep, false, 0, nil
	case 1:
		if _, err := m.sleep.Result(); err != nil {
			return fail(err)
		}
		m.state = 2
		m.child = aio.CreateTask(t, after(m.d, nil))
		return m.child, false, 0, nil
	case 2:
		v, err := m.child.Result()
		if err != nil {
			return fail(err)
		}
		m.v, m.state = v, 3
		return nil, false, 0, nil // Sleep(t, 0)
	case 3:
		*m.log = append(*m.log, "deferred")
		return nil, true, m.v * 10, nil
	}
	panic("fetcher stepped after it was done")
}

func TestMachineTask(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.FromMachine[int](&fetcher{d: 2, log: &log}), aio.Name("lowered"))
		// A lowered task is awaited like any other.
		v, err := aio.Await(t, h)
		if v != 20 || err != nil || t.Loop().Now() != time.Unix(3, 0) {
			return fmt.Errorf("lowered task: %v %v at %v", v, err, t.Loop().Now())
		}
		if !strings.Contains(h.String(), "coro=<aio_test.fetcher()>") {
			return fmt.Errorf("String %s", h)
		}
		// A direct task awaits a lowered coroutine inline.
		v, err = aio.Await(t, aio.FromMachine[int](&fetcher{d: 1, log: &log}))
		if v != 10 || err != nil || t.Loop().Now() != time.Unix(5, 0) {
			return fmt.Errorf("inline: %v %v at %v", v, err, t.Loop().Now())
		}
		return nil
	})
	if got := strings.Join(log, " "); got != "deferred deferred" {
		t.Fatalf("log %q", got)
	}
}

func TestMachineCancellation(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		// Cancelled while suspended on a timer future.
		h := aio.CreateTask(t, aio.FromMachine[int](&fetcher{d: 2, log: &log}))
		aio.Sleep(t, 500*time.Millisecond)
		h.Cancel()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) || !h.Cancelled() {
			return fmt.Errorf("during sleep: %v", err)
		}
		// Cancelled while awaiting a child task: the child is cancelled.
		m := &fetcher{d: 5, log: &log}
		h = aio.CreateTask(t, aio.FromMachine[int](m))
		aio.Sleep(t, 2*time.Second)
		h.Cancel()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) || !m.child.Cancelled() {
			return fmt.Errorf("during child: %v, child cancelled %v", err, m.child.Cancelled())
		}
		// Cancelled while ready: delivered as thrown.
		m = &fetcher{d: 0, log: &log}
		h = aio.CreateTask(t, aio.FromMachine[int](m))
		aio.Sleep(t, time.Second) // a busy loop of Sleep(t, 0) holds the virtual clock
		for m.state != 3 {
			aio.Sleep(t, 0)
		}
		h.Cancel()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("thrown: %v", err)
		}
		// Cancelled before it starts: Step never runs.
		m = &fetcher{log: &log}
		h = aio.CreateTask(t, aio.FromMachine[int](m))
		h.Cancel()
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCancelled) || m.state != 0 {
			return fmt.Errorf("unstarted: %v", err)
		}
		return nil
	})
	if got := strings.Join(log, " "); got != "deferred deferred deferred" {
		t.Fatalf("log %q", got)
	}
}

// stepFunc is a Machine made of a function.
type stepFunc func(t *aio.Task, thrown error) (aio.Waitable, bool, int, error)

func (f stepFunc) Step(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
	return f(t, thrown)
}

func TestMachineMisuse(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.FromMachine[int](stepFunc(func(t *aio.Task, _ error) (aio.Waitable, bool, int, error) {
			panic("broken machine")
		})))
		var pe *aio.PanicError
		if _, err := aio.Await(t, h); !errors.As(err, &pe) || pe.Value != "broken machine" {
			return fmt.Errorf("panicking Step: %v", err)
		}
		h = aio.CreateTask(t, aio.FromMachine[int](stepFunc(func(t *aio.Task, _ error) (aio.Waitable, bool, int, error) {
			return nil, true, 0, aio.Sleep(t, time.Second) // a direct-mode suspension: not allowed
		})))
		if _, err := aio.Await(t, h); !errors.As(err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "lowered body") {
			return fmt.Errorf("direct suspension in Step: %v", err)
		}
		// Suspending on another loop's future, or on itself.
		other := aio.NewLoop()
		defer other.Close()
		var got []error
		var self *aio.Handle[int]
		n := 0
		self = aio.CreateTask(t, aio.FromMachine[int](stepFunc(func(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
			n++
			switch n {
			case 1:
				return aio.NewFuture[int](other), false, 0, nil
			case 2:
				got = append(got, thrown)
				return self, false, 0, nil
			}
			got = append(got, thrown)
			return nil, true, 0, nil
		})))
		aio.Await(t, self)
		if len(got) != 2 || !errors.Is(got[0], aio.ErrDifferentLoop) || !errors.Is(got[1], aio.ErrDeadlock) {
			return fmt.Errorf("thrown %v", got)
		}
		return nil
	})
}

func TestCloseStepsSuspendedMachine(t *testing.T) {
	var log []string
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		h := aio.NewTask(l, aio.FromMachine[int](&fetcher{d: 1, log: &log}))
		l.CallLater(500*time.Millisecond, l.Stop)
		l.RunForever()
		l.Close()
		if !h.Cancelled() {
			t.Error("suspended lowered task not cancelled by Close")
		}
	})
	if got := strings.Join(log, " "); got != "deferred" {
		t.Fatalf("log %q", got)
	}
}

// TestCloseFailsLaterSuspensions: a body that Loop.Close steps with
// ErrCancelled and that suspends again is stepped again at once with
// ErrLoopClosed, as a direct-mode body's suspending calls return it on a
// closed loop, until it ends; what it returns is the task's outcome.
func TestCloseFailsLaterSuspensions(t *testing.T) {
	var thrown []string
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		h := aio.NewTask(l, aio.FromMachine[int](stepFunc(func(t *aio.Task, err error) (aio.Waitable, bool, int, error) {
			if err != nil {
				thrown = append(thrown, err.Error())
			}
			if len(thrown) < 3 {
				return aio.NewFuture[int](t.Loop()), false, 0, nil // never done
			}
			return nil, true, len(thrown), nil
		})))
		if err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (unit, error) { return unit{}, aio.Sleep(t, 0) })); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if v, err := h.Result(); v != 3 || err != nil {
			t.Errorf("task result %v, %v; want 3, nil (the body returned)", v, err)
		}
	})
	want := "aio: cancelled|aio: event loop is closed|aio: event loop is closed"
	if got := strings.Join(thrown, "|"); got != want {
		t.Errorf("thrown %q; want %q", got, want)
	}
}
