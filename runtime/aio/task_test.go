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

// run runs c on a new loop with a virtual clock, within the deadline.
func run[R any](t *testing.T, c *aio.Coroutine[R], opts ...aio.Option) (r R, err error) {
	t.Helper()
	within(t, func() {
		r, err = aio.Run(c, append([]aio.Option{aio.WithVirtualClock(time.Unix(0, 0))}, opts...)...)
	})
	return r, err
}

func TestRunReturnsResult(t *testing.T) {
	got, err := run(t, aio.Async(func(t *aio.Task) (int, error) { return 42, nil }))
	if got != 42 || err != nil {
		t.Fatalf("Run = %v, %v; want 42, nil", got, err)
	}
	_, err = run(t, aio.Async(func(t *aio.Task) (int, error) { return 0, errors.New("boom") }))
	if err == nil || err.Error() != "boom" {
		t.Fatalf("Run error = %v; want boom", err)
	}
}

func TestAsyncRunsNothing(t *testing.T) {
	ran := false
	c := aio.Async(func(t *aio.Task) (int, error) { ran = true; return 1, nil })
	if ran {
		t.Fatal("Async ran the body")
	}
	run(t, c)
	if !ran {
		t.Fatal("Run did not run the body")
	}
}

func TestAwaitCoroutineRunsInsideTask(t *testing.T) {
	inner := func() *aio.Coroutine[string] {
		return aio.Async(func(t *aio.Task) (string, error) {
			if err := aio.Sleep(t, time.Second); err != nil {
				return "", err
			}
			return t.Name(), nil
		})
	}
	got, err := run(t, aio.Async(func(t *aio.Task) (string, error) {
		t.SetName("outer")
		return aio.Await(t, inner())
	}))
	if got != "outer" || err != nil {
		t.Fatalf("inner coroutine ran in task %q (%v); want outer", got, err)
	}
}

func TestCoroutineRunsOnce(t *testing.T) {
	check(t, func(t *aio.Task) error {
		c := aio.Async(func(t *aio.Task) (int, error) { return 1, nil })
		if v, err := aio.Await(t, c); v != 1 || err != nil {
			return fmt.Errorf("first await: %v, %v", v, err)
		}
		if _, err := aio.Await(t, c); !errors.Is(err, aio.ErrCoroutineReused) {
			return fmt.Errorf("second await: %v; want ErrCoroutineReused", err)
		}
		h := aio.CreateTask(t, c)
		if _, err := aio.Await(t, h); !errors.Is(err, aio.ErrCoroutineReused) {
			return fmt.Errorf("task of an awaited coroutine: %v; want ErrCoroutineReused", err)
		}
		return nil
	})
}

func TestTaskNamesAndDoneCallbacks(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		a := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 1, nil }))
		b := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 2, nil }), aio.Name("bee"))
		a.AddDoneCallback(func(h *aio.Handle[int]) {
			v, _ := h.Result()
			log = append(log, fmt.Sprintf("%s=%d", h.Name(), v))
		})
		b.AddDoneCallback(func(h *aio.Handle[int]) {
			v, _ := h.Result()
			log = append(log, fmt.Sprintf("%s=%d", h.Name(), v))
		})
		if a.Done() {
			return errors.New("task done before the loop ran it")
		}
		if _, err := a.Result(); !errors.Is(err, aio.ErrInvalidState) {
			return fmt.Errorf("Result of a pending task: %v; want ErrInvalidState", err)
		}
		if _, err := aio.Gather[int](t, a, b); err != nil {
			return err
		}
		// A callback added to a done task is scheduled at once.
		a.AddDoneCallback(func(h *aio.Handle[int]) { log = append(log, "late") })
		return aio.Sleep(t, 0)
	})
	if got := strings.Join(log, " "); got != "Task-2=1 bee=2 late" {
		t.Fatalf("callbacks: %q; want %q", got, "Task-2=1 bee=2 late")
	}
}

func TestSleepZeroYields(t *testing.T) {
	var order []string
	worker := func(name string) *aio.Coroutine[int] {
		return aio.Async(func(t *aio.Task) (int, error) {
			for i := range 3 {
				order = append(order, fmt.Sprint(name, i))
				if err := aio.Sleep(t, 0); err != nil {
					return 0, err
				}
			}
			return 0, nil
		})
	}
	check(t, func(t *aio.Task) error {
		_, err := aio.Gather(t, worker("a"), worker("b"))
		return err
	})
	if got := strings.Join(order, " "); got != "a0 b0 a1 b1 a2 b2" {
		t.Fatalf("order %q; want interleaved a0 b0 a1 b1 a2 b2", got)
	}
}

func TestTaskString(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, spin())
		if got, want := h.String(), "<Task pending name='Task-2' coro=<spin()>>"; got != want {
			return fmt.Errorf("String = %s; want %s", got, want)
		}
		h.Cancel()
		aio.Await(t, h)
		if got, want := h.String(), "<Task cancelled name='Task-2' coro=<spin()>>"; got != want {
			return fmt.Errorf("String = %s; want %s", got, want)
		}
		f := aio.NewFuture[int](t.Loop())
		if got := f.String(); got != "<Future pending>" {
			return fmt.Errorf("String = %s", got)
		}
		f.SetResult(7)
		if got := f.String(); got != "<Future finished result=7>" {
			return fmt.Errorf("String = %s", got)
		}
		return nil
	})
}

func spin() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		for {
			if err := aio.Sleep(t, time.Second); err != nil {
				return 0, err
			}
		}
	})
}

// TestTaskStringCancelling: a task whose cancellation is requested but
// not yet delivered prints as cancelling, as CPython 3.11's repr does;
// Uncancel makes it pending again.
func TestTaskStringCancelling(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, after(10, nil), aio.Name("s"))
		aio.Sleep(t, 0)
		var got []string
		show := func() { got = append(got, strings.SplitN(h.String(), " coro", 2)[0]) }
		show()
		h.Cancel()
		show()
		aio.Await(t, h)
		show()
		want := []string{"<Task pending name='s'", "<Task cancelling name='s'", "<Task cancelled name='s'"}
		if !slices.Equal(got, want) {
			return fmt.Errorf("String = %q; want %q", got, want)
		}
		return nil
	})
}
