package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

func TestNestedRunIsAnError(t *testing.T) {
	var innerRan bool
	inner := aio.Async(func(t *aio.Task) (int, error) { innerRan = true; return 0, nil })
	check(t, func(t *aio.Task) error {
		if _, err := aio.Run(inner); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("Run inside a task: %v", err)
		}
		if err := t.Loop().RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) { return 0, nil })); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("RunUntilComplete of the running loop: %v", err)
		}
		other := aio.NewLoop()
		defer other.Close()
		if err := other.RunForever(); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("another loop inside a task: %v", err)
		}
		if err := t.Loop().Close(); !errors.Is(err, aio.ErrLoopRunning) {
			return fmt.Errorf("Close of the running loop: %v", err)
		}
		var cbErr error
		t.Loop().CallSoon(func() { _, cbErr = aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, nil })) })
		aio.Sleep(t, 0)
		if !errors.Is(cbErr, aio.ErrLoopRunning) {
			return fmt.Errorf("Run in a callback: %v", cbErr)
		}
		return nil
	})
	if innerRan {
		t.Fatal("nested Run ran its coroutine")
	}
	if aio.ErrLoopRunning.Error() != "aio: event loop is already running" {
		t.Fatalf("message %q", aio.ErrLoopRunning)
	}
}

func TestRunFromAnotherThreadOfATaskWorks(t *testing.T) {
	got, err := run(t, aio.Async(func(t *aio.Task) (int, error) {
		return aio.ToThread(t, func() (int, error) {
			return aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 7, nil }))
		})
	}))
	if got != 7 || err != nil {
		t.Fatalf("Run on a worker goroutine: %v, %v", got, err)
	}
}

func TestPanicInTaskIsAnError(t *testing.T) {
	check(t, func(t *aio.Task) error {
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, 0)
			panic("kaboom")
		}))
		_, err := aio.Await(t, h)
		var pe *aio.PanicError
		if !errors.As(err, &pe) || pe.Value != "kaboom" || !bytes.Contains(pe.Stack, []byte("cancel_test")) && !bytes.Contains(pe.Stack, []byte("loop_test")) {
			return fmt.Errorf("await: %v", err)
		}
		// The loop carries on.
		return aio.Sleep(t, time.Second)
	})
}

func TestAwaitCycleIsADeadlockError(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var a, b *aio.Handle[int]
		a = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, 0)
			return aio.Await(t, b)
		}), aio.Name("a"))
		b = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, 0)
			aio.Sleep(t, 0)
			return aio.Await(t, a)
		}), aio.Name("b"))
		_, errB := aio.Await(t, b)
		var de *aio.DeadlockError
		if !errors.As(errB, &de) || !errors.Is(errB, aio.ErrDeadlock) {
			return fmt.Errorf("b: %v; want a DeadlockError", errB)
		}
		if got := errB.Error(); got != "aio: deadlock: tasks await each other: b -> a -> b" {
			return fmt.Errorf("message %q", got)
		}
		if _, errA := aio.Await(t, a); !errors.Is(errA, aio.ErrDeadlock) {
			return fmt.Errorf("a: %v", errA)
		}
		var self *aio.Handle[int]
		self = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return aio.Await(t, self) }), aio.Name("self"))
		if _, err := aio.Await(t, self); err == nil || err.Error() != `aio: deadlock: task "self" awaits itself` {
			return fmt.Errorf("self-await: %v", err)
		}
		return nil
	})
}

func TestVirtualClockJumps(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var times []string
	var l *aio.Loop
	sleeper := func(d time.Duration) *aio.Coroutine[int] {
		return aio.Async(func(t *aio.Task) (int, error) {
			err := aio.Sleep(t, d)
			times = append(times, fmt.Sprint(d, "@", l.Now().Sub(start)))
			return 0, err
		})
	}
	begin := time.Now()
	within(t, func() {
		l = aio.NewLoop(aio.WithVirtualClock(start))
		defer l.Close()
		err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) {
			_, err := aio.Gather(t, sleeper(3*time.Hour), sleeper(time.Hour), sleeper(2*time.Hour))
			return 0, err
		}))
		if err != nil {
			t.Error(err)
		}
	})
	if got := strings.Join(times, " "); got != "1h0m0s@1h0m0s 2h0m0s@2h0m0s 3h0m0s@3h0m0s" {
		t.Fatalf("woke %q", got)
	}
	if time.Since(begin) > 5*time.Second {
		t.Fatal("virtual clock took real time")
	}
}

func TestRealClockSleeps(t *testing.T) {
	begin := time.Now()
	within(t, func() {
		_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, aio.Sleep(t, 30*time.Millisecond) }))
		if err != nil {
			t.Error(err)
		}
	})
	if d := time.Since(begin); d < 30*time.Millisecond {
		t.Fatalf("slept %v; want 30ms", d)
	}
}

func TestCallSoonLaterAt(t *testing.T) {
	var log []string
	within(t, func() {
		start := time.Unix(100, 0)
		l := aio.NewLoop(aio.WithVirtualClock(start))
		defer l.Close()
		at := func(s string) func() {
			return func() { log = append(log, fmt.Sprintf("%s@%v", s, l.Now().Sub(start))) }
		}
		l.CallLater(2*time.Second, at("later2"))
		l.CallAt(start.Add(time.Second), at("at1"))
		tm := l.CallLater(time.Second, at("cancelled"))
		l.CallSoon(at("soon1"))
		l.CallSoon(at("soon2"))
		l.CallLater(time.Second, at("later1")) // same time as at1: scheduling order
		if !tm.Cancel() || !tm.Cancelled() || tm.Cancel() {
			t.Error("Cancel of a pending timer")
		}
		if tm.When() != start.Add(time.Second) {
			t.Errorf("When = %v", tm.When())
		}
		l.CallLater(3*time.Second, l.Stop)
		if err := l.RunForever(); err != nil {
			t.Error(err)
		}
	})
	if got := strings.Join(log, " "); got != "soon1@0s soon2@0s at1@1s later1@1s later2@2s" {
		t.Fatalf("calls %q", got)
	}
}

func TestCallSoonThreadsafe(t *testing.T) {
	within(t, func() {
		l := aio.NewLoop()
		got, err := 0, error(nil)
		f := aio.NewFuture[int](l)
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := l.CallSoonThreadsafe(func() { got += i }); err != nil {
					t.Error(err)
				}
			}()
		}
		go func() {
			wg.Wait()
			l.CallSoonThreadsafe(func() { f.SetResult(got) })
		}()
		err = l.RunUntilComplete(f)
		if v, _ := f.Result(); err != nil || v != 45 {
			t.Errorf("sum %v, %v; want 45", v, err)
		}
		l.Close()
		if err := l.CallSoonThreadsafe(func() {}); !errors.Is(err, aio.ErrLoopClosed) {
			t.Errorf("CallSoonThreadsafe after Close: %v", err)
		}
	})
}

func TestCallbackPanicIsLogged(t *testing.T) {
	var buf syncBuffer
	within(t, func() {
		l := aio.NewLoop(aio.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
		defer l.Close()
		ran := false
		l.CallSoon(func() { panic("oops") })
		l.CallSoon(func() { ran = true; l.Stop() })
		l.RunForever()
		if !ran {
			t.Error("the loop stopped at the panic")
		}
	})
	if !strings.Contains(buf.String(), "callback panicked") || !strings.Contains(buf.String(), "oops") {
		t.Fatalf("log %q", buf.String())
	}
}

func TestStopBeforeComplete(t *testing.T) {
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		defer l.Close()
		h := aio.NewTask(l, spin())
		l.CallLater(time.Second, l.Stop)
		if err := l.RunUntilComplete(h); !errors.Is(err, aio.ErrLoopStopped) {
			t.Errorf("RunUntilComplete: %v; want ErrLoopStopped", err)
		}
		// The loop can run again.
		l.CallLater(time.Second, func() { h.Cancel() })
		if err := l.RunUntilComplete(h); !errors.Is(err, aio.ErrCancelled) {
			t.Errorf("RunUntilComplete: %v; want ErrCancelled", err)
		}
	})
}

func TestCloseUnwindsPendingTasks(t *testing.T) {
	var log []string
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		var h *aio.Handle[int]
		main := aio.Async(func(t *aio.Task) (int, error) {
			h = aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
				defer func() {
					// A deferred await while closing fails at once.
					err := aio.Sleep(t, time.Second)
					log = append(log, "deferred: "+err.Error())
				}()
				return 0, aio.Sleep(t, time.Hour)
			}))
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { log = append(log, "never started"); return 0, nil }))
			return 0, aio.Sleep(t, 0)
		})
		if err := l.RunUntilComplete(main); err != nil {
			t.Error(err)
		}
		l.Close()
		if !h.Cancelled() {
			t.Error("pending task not cancelled by Close")
		}
		if err := l.RunUntilComplete(aio.Async(func(t *aio.Task) (int, error) { return 0, nil })); !errors.Is(err, aio.ErrLoopClosed) {
			t.Errorf("run after Close: %v", err)
		}
		if err := l.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		h2 := aio.NewTask(l, spin())
		if _, err := h2.Result(); !errors.Is(err, aio.ErrLoopClosed) {
			t.Errorf("task on a closed loop: %v", err)
		}
	})
	if got := strings.Join(log, "; "); got != "never started; deferred: aio: event loop is closed" && got != "deferred: aio: event loop is closed" {
		t.Fatalf("log %q", got)
	}
}

func TestRunCancelsRemainingTasks(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			err := aio.Sleep(t, time.Hour)
			log = append(log, "background: "+err.Error())
			return 0, err
		}))
		return aio.Sleep(t, time.Second)
	})
	if got := strings.Join(log, ""); got != "background: aio: cancelled" {
		t.Fatalf("log %q", got)
	}
}

// syncBuffer is a bytes.Buffer safe for the loggers of several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLoopCreateTask(t *testing.T) {
	within(t, func() {
		l := aio.NewLoop(aio.WithVirtualClock(time.Unix(0, 0)))
		defer l.Close()
		w := l.CreateTask(aio.Async(func(t *aio.Task) (string, error) {
			return t.Name(), aio.Sleep(t, time.Second)
		}), aio.Name("created"))
		if err := l.RunUntilComplete(w); err != nil {
			t.Fatal(err)
		}
		if v, err := w.(*aio.Handle[string]).Result(); v != "created" || err != nil {
			t.Fatalf("Result = %v, %v", v, err)
		}
		if got := l.Now(); got != time.Unix(1, 0) {
			t.Fatalf("Now = %v", got)
		}
		if l.IsClosed() || l.IsRunning() {
			t.Fatal("state")
		}
	})
}

func TestTaskUsedOutsideItsBody(t *testing.T) {
	check(t, func(t *aio.Task) error {
		var owner *aio.Task
		h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			owner = t
			return 7, aio.Sleep(t, time.Second)
		}), aio.Name("owner"))
		aio.Sleep(t, 0)
		thief := aio.CreateTask(t, aio.Async(func(*aio.Task) (int, error) {
			return 0, aio.Sleep(owner, time.Hour) // another task's handle
		}))
		_, err := aio.Await(t, thief)
		var pe *aio.PanicError
		if !errors.As(err, &pe) || !strings.Contains(fmt.Sprint(pe.Value), "owner used outside its own body") {
			return fmt.Errorf("thief: %v", err)
		}
		if v, err := aio.Await(t, h); v != 7 || err != nil || t.Loop().Now() != time.Unix(1, 0) {
			return fmt.Errorf("owner disturbed: %v %v at %v", v, err, t.Loop().Now())
		}
		return nil
	})
}

func TestGoexitInATaskLeavesNothingBehind(t *testing.T) {
	// A test helper's t.FailNow in a task body ends the goroutine running
	// the loop; the loop still closes (goleak checks its goroutines).
	done := make(chan struct{})
	go func() {
		defer close(done)
		aio.Run(aio.Async(func(t *aio.Task) (int, error) {
			aio.CreateTask(t, spin())
			aio.Sleep(t, 0)
			runtime.Goexit()
			return 0, nil
		}))
		t.Error("Run returned after Goexit")
	}()
	select {
	case <-done:
	case <-time.After(deadline):
		t.Fatal("Goexit did not end Run")
	}
}
