package aio_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

func textLogger(buf *syncBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }

// eventually collects garbage until cond holds, failing the test at the
// deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not after %v", what, deadline)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestDebugReportsSlowStepWithWhereItBlocked(t *testing.T) {
	var buf syncBuffer
	within(t, func() {
		_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) {
			if !t.Loop().Debug() {
				t.SetName("no debug")
			}
			h := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
				time.Sleep(250 * time.Millisecond) // blocks the loop: the bug debug mode finds
				return 0, nil
			}), aio.Name("sleepy"))
			aio.Await(t, h)
			t.Loop().CallSoon(func() { time.Sleep(250 * time.Millisecond) })
			aio.Sleep(t, 0)
			aio.Sleep(t, 0)
			return 0, nil
		}), aio.WithSlowStep(20*time.Millisecond), aio.WithLogger(textLogger(&buf)))
		if err != nil {
			t.Error(err)
		}
	})
	out := buf.String()
	for _, want := range []string{"slow task step", "task=sleepy", "time.Sleep", "debug_test.go", "slow callback"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "runtime/aio.(*") {
		t.Errorf("the stacks show the loop's own frames:\n%s", out)
	}
	if strings.Contains(out, "no debug") {
		t.Error("WithSlowStep did not turn debug mode on")
	}
}

func TestDebugReportsSlowLoweredStep(t *testing.T) {
	var buf syncBuffer
	within(t, func() {
		aio.Run(aio.FromMachine[int](stepFunc(func(t *aio.Task, _ error) (aio.Waitable, bool, int, error) {
			time.Sleep(250 * time.Millisecond)
			return nil, true, 0, nil
		})), aio.WithSlowStep(20*time.Millisecond), aio.WithLogger(textLogger(&buf)))
	})
	if out := buf.String(); !strings.Contains(out, "slow task step") || !strings.Contains(out, "time.Sleep") {
		t.Errorf("log:\n%s", out)
	}
}

func TestFastStepsAreNotReported(t *testing.T) {
	var buf syncBuffer
	run(t, aio.Async(func(t *aio.Task) (int, error) {
		return 0, aio.Sleep(t, time.Second)
	}), aio.WithDebug(true), aio.WithLogger(textLogger(&buf)))
	if buf.String() != "" {
		t.Fatalf("log:\n%s", buf.String())
	}
}

func TestDebugReportsTasksDestroyedPending(t *testing.T) {
	var buf syncBuffer
	within(t, func() {
		l := aio.NewLoop(aio.WithDebug(true), aio.WithLogger(textLogger(&buf)))
		aio.NewTask(l, spin(), aio.Name("forgotten"))
		l.Close()
	})
	if out := buf.String(); !strings.Contains(out, "destroyed but it is pending") || !strings.Contains(out, "forgotten") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestNeverRetrievedErrorIsReported(t *testing.T) {
	var buf syncBuffer
	func() {
		_, err := run(t, aio.Async(func(t *aio.Task) (int, error) {
			aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, errors.New("lost error") }), aio.Name("careless"))
			seen := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, errors.New("seen error") }))
			aio.Sleep(t, time.Second)
			seen.Err()
			return 0, nil
		}), aio.WithLogger(textLogger(&buf)))
		if err != nil {
			t.Fatal(err)
		}
	}()
	eventually(t, "report of the lost error", func() bool { return strings.Contains(buf.String(), "lost error") })
	out := buf.String()
	if !strings.Contains(out, "never retrieved") || !strings.Contains(out, "careless") || strings.Contains(out, "seen error") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestNeverAwaitedCoroutineIsReported(t *testing.T) {
	var buf syncBuffer
	prev := aio.TrackCoroutines(textLogger(&buf))
	defer aio.TrackCoroutines(prev)
	func() {
		spin()          // created, dropped
		c := spin()     // closed: not reported
		c.Close()       //
		run(t, spin2()) // run: not reported
	}()
	eventually(t, "report of the coroutine", func() bool { return strings.Contains(buf.String(), "never awaited") })
	time.Sleep(10 * time.Millisecond)
	runtime.GC()
	out := buf.String()
	if !strings.Contains(out, "coroutine=spin") || !strings.Contains(out, "task_test.go") || strings.Count(out, "never awaited") != 1 {
		t.Fatalf("log:\n%s", out)
	}
}

func spin2() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) { return 0, nil })
}

func TestDebugLoopTracksCoroutines(t *testing.T) {
	var buf syncBuffer
	run(t, aio.Async(func(t *aio.Task) (int, error) {
		spin() // created in a debug loop's task, and dropped
		return 0, nil
	}), aio.WithDebug(true), aio.WithLogger(textLogger(&buf)))
	eventually(t, "report of the coroutine", func() bool { return strings.Contains(buf.String(), "never awaited") })
	if prev := aio.TrackCoroutines(nil); prev != nil {
		t.Errorf("tracking left on after the loop stopped")
	}
}

// TestSlowStepStackIsReadableLines: the report's stack is a list of
// "function at file:line" lines, innermost first (a JSON array), not the
// goroutine dump with its newlines and tabs escaped into one string.
func TestSlowStepStackIsReadableLines(t *testing.T) {
	var buf syncBuffer
	within(t, func() {
		aio.Run(aio.Async(func(t *aio.Task) (int, error) {
			time.Sleep(150 * time.Millisecond)
			return 0, nil
		}), aio.WithSlowStep(20*time.Millisecond), aio.WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	})
	var rec struct{ Where []string }
	line, _, _ := strings.Cut(buf.String(), "\n")
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	if len(rec.Where) < 2 || !strings.HasPrefix(rec.Where[0], "time.Sleep at ") || !strings.Contains(rec.Where[1], "debug_test.go:") {
		t.Fatalf("where = %q", rec.Where)
	}
	for _, l := range rec.Where {
		if strings.ContainsAny(l, "\n\t") || strings.Contains(l, "+0x") {
			t.Errorf("frame %q is not one clean line", l)
		}
	}
}
