package coro_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/internal/testbound"
	"github.com/asyncgo/asyncgo/runtime/coro"
)

var errCleanup = errors.New("cleanup")

// outcome spells a resumption's result as testdata/close_semantics.py
// spells Python's.
func outcome[Y any](y Y, err error, isClose bool) string {
	switch {
	case err == nil && isClose:
		return "nil"
	case err == nil:
		return fmt.Sprint("value ", y)
	case err == coro.ErrStopIteration:
		return "stop"
	case err == coro.ErrIgnoredGeneratorExit:
		return "ignored-exit"
	case err == coro.ErrGeneratorExit:
		return "exit"
	case err == coro.ErrThrowNil:
		return "throw-nil"
	}
	return "error " + err.Error()
}

// stepper prints each step as the Python script does.
type stepper struct{ out *bytes.Buffer }

func (s stepper) close(name string, g interface {
	Close() error
	State() coro.State
}) {
	err := g.Close()
	fmt.Fprintf(s.out, "%s: close -> %s, %v\n", name, outcome(0, err, true), g.State())
}

func (s stepper) next(name string, g *coro.Generator[int, int, string]) {
	y, err := g.Next()
	fmt.Fprintf(s.out, "%s: next -> %s, %v\n", name, outcome(y, err, false), g.State())
}

func (s stepper) throw(name string, g *coro.Generator[int, int, string], err error) {
	y, err := g.Throw(err)
	fmt.Fprintf(s.out, "%s: throw -> %s, %v\n", name, outcome(y, err, false), g.State())
}

// failingCleanup is Python's
//
//	def inner():
//	    try:
//	        yield 1
//	    finally:
//	        raise ValueError("cleanup")
func failingCleanup() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer func() {
			recover()
			co.Raise(errCleanup)
		}()
		co.Yield(1)
		return ""
	})
}

// ignoreOnce ignores the first GeneratorExit and counts on.
func ignoreOnce() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		ignored := false
		for n := 1; ; n++ {
			func() {
				defer func() {
					if ignored {
						return // the exit goes on
					}
					if v := recover(); v != nil {
						if !errors.Is(coro.Recovered(v), coro.ErrGeneratorExit) {
							panic(v)
						}
						ignored = true
					}
				}()
				co.Yield(n)
			}()
		}
	})
}

// finallyYields is try: yield 1 / finally: yield 99.
func finallyYields() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		defer func() { co.Yield(99) }()
		co.Yield(1)
		return ""
	})
}

func two() *coro.Generator[int, int, string] {
	return coro.New(func(co *coro.Co[int, int]) string {
		co.Yield(1)
		co.Yield(2)
		return ""
	})
}

// TestCloseSemanticsMatchCPython runs the scenarios of
// testdata/close_semantics.py: Close through a delegation whose
// sub-generator's clean-up fails (PEP 380), generators that ignore
// GeneratorExit, and Throw(nil).
func TestCloseSemanticsMatchCPython(t *testing.T) {
	var out bytes.Buffer
	s := stepper{&out}

	g := coro.New(func(co *coro.Co[int, int]) string {
		_, err := coro.YieldFromErr(co, failingCleanup())
		if errors.Is(err, errCleanup) {
			fmt.Fprintln(&out, "catches: caught", err)
			return "handled"
		}
		co.Raise(err)
		return ""
	})
	got(g.Next()).must(t)
	s.close("catches", g)
	if r, ok := g.Result(); !ok || r != "handled" {
		t.Errorf("catches: Result = %q, %v; want the delegator's return value", r, ok)
	}

	middle := func() *coro.Generator[int, int, string] {
		return coro.New(func(co *coro.Co[int, int]) string { return coro.YieldFrom(co, failingCleanup()) })
	}
	g = coro.New(func(co *coro.Co[int, int]) string {
		if _, err := coro.YieldFromErr(co, middle()); errors.Is(err, errCleanup) {
			return "top handled"
		}
		return ""
	})
	got(g.Next()).must(t)
	s.close("chain", g)

	g = coro.New(func(co *coro.Co[int, int]) string {
		if _, err := coro.YieldFromErr(co, failingCleanup()); errors.Is(err, errCleanup) {
			co.Yield(2)
		}
		return ""
	})
	got(g.Next()).must(t)
	s.close("yields", g)
	s.next("yields", g)

	g = coro.New(func(co *coro.Co[int, int]) string { return coro.YieldFrom(co, failingCleanup()) })
	got(g.Next()).must(t)
	s.close("uncaught", g)

	g = coro.New(func(co *coro.Co[int, int]) (r string) {
		defer func() {
			if v := recover(); v != nil {
				if !errors.Is(coro.Recovered(v), coro.ErrGeneratorExit) {
					panic(v)
				}
				r = "caught exit"
			}
		}()
		coro.YieldFromErr(co, two())
		return ""
	})
	got(g.Next()).must(t)
	s.close("catches-exit", g)

	g = ignoreOnce()
	got(g.Next()).must(t)
	s.close("ignorer", g)
	s.next("ignorer", g)
	s.close("ignorer", g)

	g = finallyYields()
	got(g.Next()).must(t)
	s.close("finally", g)
	s.next("finally", g)
	g = finallyYields()
	got(g.Next()).must(t)
	s.close("finally-twice", g)
	s.close("finally-twice", g)

	g = two()
	got(g.Next()).must(t)
	s.throw("throw-nil", g, nil)
	s.next("throw-nil", g)
	g.Close()
	g = two()
	s.throw("throw-nil-created", g, nil)
	s.next("throw-nil-created", g)
	g.Close()
	g = two()
	for range g.All() {
	}
	s.throw("throw-nil-closed", g, nil)

	testbound.MatchesFile(t, out.Bytes(), "testdata/close_semantics.golden")
	if py, ok := testbound.Python(t, "testdata/close_semantics.py"); ok {
		testbound.MatchesFile(t, py, "testdata/close_semantics.golden")
	}
}

// After Close reported ErrIgnoredGeneratorExit the body is suspended at
// the yield it made while closing; the value sent next is what it gets.
func TestIgnoredExitResumesAtThatYield(t *testing.T) {
	var log []string
	g := coro.New(func(co *coro.Co[int, int]) string {
		defer func() {
			if v := recover(); v != nil {
				log = append(log, fmt.Sprint("recovered ", coro.Recovered(v)))
				log = append(log, fmt.Sprint("got ", co.Yield(-1)))
			}
		}()
		co.Yield(1)
		return "unreached"
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != coro.ErrIgnoredGeneratorExit || g.State() != coro.Suspended || g.Err() != nil {
		t.Fatalf("Close: err=%v state=%v Err=%v; want ErrIgnoredGeneratorExit, suspended, nil", err, g.State(), g.Err())
	}
	if _, err := g.Send(7); err != coro.ErrStopIteration {
		t.Fatalf("Send after the ignored exit: %v, want ErrStopIteration", err)
	}
	want := "recovered coro: generator exit,got 7"
	if strings.Join(log, ",") != want {
		t.Fatalf("log = %v, want %s", log, want)
	}
	if r, ok := g.Result(); !ok || r != "" {
		t.Fatalf("Result = %q, %v", r, ok)
	}
}

// A delegator that handles the sub's clean-up error and then raises
// another: Close returns that one.
func TestCloseDelegatorReplacesCleanupError(t *testing.T) {
	errOther := errors.New("other")
	g := coro.New(func(co *coro.Co[int, int]) string {
		if _, err := coro.YieldFromErr(co, failingCleanup()); err != nil {
			co.Raise(fmt.Errorf("%w after %w", errOther, err))
		}
		return ""
	})
	got(g.Next()).must(t)
	err := g.Close()
	if !errors.Is(err, errOther) || !errors.Is(err, errCleanup) || g.State() != coro.Closed || g.Err() != err {
		t.Fatalf("Close: err=%v state=%v Err=%v", err, g.State(), g.Err())
	}
}

// A sub-generator that ignores the exit: the delegator gets
// ErrIgnoredGeneratorExit from YieldFromErr, as Python's yield from raises
// the sub's RuntimeError in the delegator.
func TestCloseSubIgnoresExit(t *testing.T) {
	sub := ignoreOnce()
	var caught error
	g := coro.New(func(co *coro.Co[int, int]) string {
		_, caught = coro.YieldFromErr(co, sub)
		return "done"
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil || g.State() != coro.Closed {
		t.Fatalf("Close: %v, %v", err, g.State())
	}
	if caught != coro.ErrIgnoredGeneratorExit || sub.State() != coro.Suspended {
		t.Fatalf("delegator caught %v; sub %v", caught, sub.State())
	}
	if err := sub.Close(); err != nil {
		t.Fatalf("closing the sub again: %v", err)
	}
}

// Throw(nil) while the body runs is ErrThrowNil too (the argument is
// checked first, as Python checks the type), and the body runs on.
func TestThrowNilWhileRunning(t *testing.T) {
	var g *coro.Generator[int, int, string]
	var inner error
	g = coro.New(func(co *coro.Co[int, int]) string {
		_, inner = g.Throw(nil)
		co.Yield(1)
		return ""
	})
	if y := got(g.Next()).must(t); y != 1 || inner != coro.ErrThrowNil {
		t.Fatalf("Next = %d; Throw(nil) inside = %v", y, inner)
	}
	g.Close()
}

// A Co kept past its body panics, saying so, on every use.
func TestCoUsedAfterBodyEndedPanics(t *testing.T) {
	var kept *coro.Co[int, int]
	g := coro.New(func(co *coro.Co[int, int]) string {
		kept = co
		co.Yield(1)
		return ""
	})
	for range g.All() {
	}
	for name, use := range map[string]func(){
		"Yield":        func() { kept.Yield(2) },
		"YieldErr":     func() { kept.YieldErr(2) },
		"Raise":        func() { kept.Raise(errDemo) },
		"YieldFrom":    func() { coro.YieldFrom(kept, two()) },
		"YieldFromErr": func() { coro.YieldFromErr(kept, two()) },
	} {
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			use()
			return "no panic"
		}()
		if !strings.Contains(msg, "Co used after its generator's body ended") {
			t.Errorf("%s after the body ended: panic %q, want one saying the body ended", name, msg)
		}
	}
	// The body ended by a panic, by Close and by a throw: the same.
	for _, end := range []func(g *coro.Generator[int, int, string]){
		func(g *coro.Generator[int, int, string]) { g.Close() },
		func(g *coro.Generator[int, int, string]) { g.Throw(errDemo) },
	} {
		g := coro.New(func(co *coro.Co[int, int]) string {
			kept = co
			co.Yield(1)
			return ""
		})
		got(g.Next()).must(t)
		end(g)
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			kept.Yield(3)
			return "no panic"
		}()
		if !strings.Contains(msg, "body ended") {
			t.Errorf("Yield after the body ended: panic %q", msg)
		}
	}
}

// A dropped generator that ignores the exit when the collector closes it
// is still unwound: its goroutine ends (goleak checks) and its defers run.
func TestDroppedGeneratorIgnoringExitIsUnwound(t *testing.T) {
	unwound := make(chan struct{})
	func() {
		g := coro.New(func(co *coro.Co[int, int]) int {
			defer close(unwound)
			defer func() {
				recover()
				co.Yield(-1) // ignores the exit: suspends, then is stopped
				co.Yield(-2) // cannot suspend again: unwinds
			}()
			co.Yield(1)
			return 0
		})
		got(g.Next()).must(t)
	}()
	deadline := time.After(testbound.Deadline)
	for {
		runtime.GC()
		select {
		case <-unwound:
			return
		case <-deadline:
			t.Fatal("dropped generator that ignores GeneratorExit never unwound")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
