package coro_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

var errDemo = errors.New("demo")

// counter yields 0..n-1 and returns n; it logs what it sees.
func counter(n int, log *[]string) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		*log = append(*log, "start")
		defer func() { *log = append(*log, "finally") }()
		for i := range n {
			s := co.Yield(i)
			*log = append(*log, fmt.Sprint("got ", s))
		}
		return n
	})
}

// step holds what a resumption returned; must checks it yielded.
type step[Y any] struct {
	y   Y
	err error
}

func got[Y any](y Y, err error) step[Y] { return step[Y]{y, err} }

func (s step[Y]) must(t *testing.T) Y {
	t.Helper()
	if s.err != nil {
		t.Fatalf("unexpected error: %v", s.err)
	}
	return s.y
}

func TestLazyStart(t *testing.T) {
	var log []string
	g := counter(2, &log)
	if len(log) != 0 || g.State() != coro.Created {
		t.Fatalf("body ran before the first Next: log=%v state=%v", log, g.State())
	}
	if y := got(g.Next()).must(t); y != 0 {
		t.Fatalf("first Next = %d, want 0", y)
	}
	if g.State() != coro.Suspended || !slices.Equal(log, []string{"start"}) {
		t.Fatalf("after Next: state=%v log=%v", g.State(), log)
	}
	g.Close()
}

func TestNextSendAndReturnValue(t *testing.T) {
	var log []string
	g := counter(2, &log)
	got(g.Next()).must(t)
	if y := got(g.Send(10)).must(t); y != 1 {
		t.Fatalf("Send(10) = %d, want 1", y)
	}
	if _, ok := g.Result(); ok {
		t.Fatal("Result reported a value before the body returned")
	}
	_, err := g.Send(20)
	if err != coro.ErrStopIteration {
		t.Fatalf("last Send: err = %v, want ErrStopIteration", err)
	}
	if r, ok := g.Result(); !ok || r != 2 {
		t.Fatalf("Result() = %d, %v; want 2, true", r, ok)
	}
	if g.State() != coro.Closed {
		t.Fatalf("state after return = %v", g.State())
	}
	want := []string{"start", "got 10", "got 20", "finally"}
	if !slices.Equal(log, want) {
		t.Fatalf("log = %v, want %v", log, want)
	}
	for range 2 { // resuming a closed generator keeps stopping
		if _, err := g.Next(); err != coro.ErrStopIteration {
			t.Fatalf("Next after exhaustion: %v", err)
		}
	}
	if _, err := g.Throw(errDemo); err != errDemo {
		t.Fatalf("Throw into closed generator = %v, want the error itself", err)
	}
}

func TestSendNonZeroToJustStarted(t *testing.T) {
	var log []string
	g := counter(3, &log)
	if _, err := g.Send(5); err != coro.ErrSendNotStarted {
		t.Fatalf("Send(5) to created generator: err = %v", err)
	}
	if g.State() != coro.Created || len(log) != 0 {
		t.Fatalf("failed Send changed the generator: state=%v log=%v", g.State(), log)
	}
	if y := got(g.Send(0)).must(t); y != 0 { // the zero value starts it, like send(None)
		t.Fatalf("Send(0) = %d", y)
	}
	g.Close()
}

func TestReentrantResumeIsAnError(t *testing.T) {
	var g *coro.Generator[int, int, error]
	g = coro.New(func(co *coro.Co[int, int]) error {
		if g.State() != coro.Running {
			return fmt.Errorf("state inside body = %v", g.State())
		}
		_, err := g.Next()
		return err
	})
	if _, err := g.Next(); err != coro.ErrStopIteration {
		t.Fatalf("Next: %v", err)
	}
	if r, _ := g.Result(); r != coro.ErrRunning {
		t.Fatalf("resuming itself returned %v, want ErrRunning", r)
	}
}

func TestPanicEndsGeneratorWithError(t *testing.T) {
	deferred := false
	g := coro.New(func(co *coro.Co[int, int]) int {
		defer func() { deferred = true }()
		co.Yield(1)
		explode()
		return 0
	})
	got(g.Next()).must(t)
	_, err := g.Next()
	var pe *coro.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *PanicError", err, err)
	}
	if pe.Value != "boom" || !strings.Contains(string(pe.Stack), "explode") {
		t.Fatalf("PanicError value=%v, stack lacks the panicking function:\n%s", pe.Value, pe.Stack)
	}
	if !deferred || g.State() != coro.Closed || g.Err() != err {
		t.Fatalf("deferred=%v state=%v Err=%v", deferred, g.State(), g.Err())
	}
	if _, err := g.Next(); err != coro.ErrStopIteration {
		t.Fatalf("Next after panic: %v", err)
	}

	// A panic with an error value is seen through by errors.Is.
	g2 := coro.New(func(co *coro.Co[int, int]) int { panic(errDemo) })
	if _, err := g2.Next(); !errors.Is(err, errDemo) {
		t.Fatalf("panic(errDemo): err = %v", err)
	}
}

func explode() { panic("boom") }

// demoExcHandling is the seeds' demo_exc_handling: it handles errDemo and
// carries on; any other error ends it, running the finally.
func demoExcHandling(log *[]string) *coro.Generator[struct{}, string, struct{}] {
	return coro.New(func(co *coro.Co[struct{}, string]) struct{} {
		*log = append(*log, "-> coroutine started")
		defer func() { *log = append(*log, "-> coroutine ending...") }()
		for {
			x, err := co.YieldErr(struct{}{})
			switch {
			case errors.Is(err, errDemo):
				*log = append(*log, "*** DemoException handled. Continuing...")
			case err != nil:
				co.Raise(err) // not ours: let it propagate
			default:
				*log = append(*log, "-> coroutine received: "+x)
			}
		}
	})
}

func TestThrowHandledAndUnhandled(t *testing.T) {
	var log []string
	g := demoExcHandling(&log)
	got(g.Next()).must(t)
	got(g.Send("11")).must(t)
	got(g.Throw(errDemo)).must(t)
	if g.State() != coro.Suspended {
		t.Fatalf("generator did not carry on after a handled throw: %v", g.State())
	}
	got(g.Send("22")).must(t)
	errOther := errors.New("zero division")
	if _, err := g.Throw(errOther); !errors.Is(err, errOther) {
		t.Fatalf("unhandled throw returned %v", err)
	}
	if g.State() != coro.Closed {
		t.Fatalf("state after unhandled throw: %v", g.State())
	}
	want := []string{
		"-> coroutine started",
		"-> coroutine received: 11",
		"*** DemoException handled. Continuing...",
		"-> coroutine received: 22",
		"-> coroutine ending...",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("log:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func TestThrowThroughYieldPropagatesAsIs(t *testing.T) {
	var log []string
	g := counter(3, &log)
	got(g.Next()).must(t)
	if _, err := g.Throw(errDemo); err != errDemo {
		t.Fatalf("Throw returned %v, want errDemo itself", err)
	}
	if !slices.Equal(log, []string{"start", "finally"}) || g.Err() != errDemo {
		t.Fatalf("log=%v Err=%v", log, g.Err())
	}
}

func TestThrowThenReturnStops(t *testing.T) {
	g := coro.New(func(co *coro.Co[int, int]) string {
		if _, err := co.YieldErr(1); err != nil {
			return "handled " + err.Error()
		}
		return "not thrown"
	})
	got(g.Next()).must(t)
	if _, err := g.Throw(errDemo); err != coro.ErrStopIteration {
		t.Fatalf("Throw: %v, want ErrStopIteration", err)
	}
	if r, _ := g.Result(); r != "handled demo" {
		t.Fatalf("Result = %q", r)
	}
}

func TestThrowIntoJustStarted(t *testing.T) {
	var log []string
	g := counter(3, &log)
	if _, err := g.Throw(errDemo); err != errDemo {
		t.Fatalf("Throw: %v", err)
	}
	if len(log) != 0 || g.State() != coro.Closed {
		t.Fatalf("body ran or generator not closed: log=%v state=%v", log, g.State())
	}
	if _, err := g.Throw(nil); err == nil {
		t.Fatal("Throw(nil) returned no error")
	}
}

func TestCloseRunsDefers(t *testing.T) {
	var log []string
	g := counter(5, &log)
	got(g.Next()).must(t)
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !slices.Equal(log, []string{"start", "finally"}) || g.State() != coro.Closed {
		t.Fatalf("log=%v state=%v", log, g.State())
	}
	if err := g.Close(); err != nil { // closing twice is a no-op
		t.Fatalf("second Close: %v", err)
	}
	if _, err := g.Next(); err != coro.ErrStopIteration {
		t.Fatalf("Next after Close: %v", err)
	}
}

func TestCloseJustStartedRunsNothing(t *testing.T) {
	var log []string
	g := counter(5, &log)
	if err := g.Close(); err != nil || len(log) != 0 || g.State() != coro.Closed {
		t.Fatalf("Close of a created generator: err=%v log=%v state=%v", err, log, g.State())
	}
}

func TestYieldWhileClosingIsAnError(t *testing.T) {
	g := coro.New(func(co *coro.Co[int, int]) int {
		defer func() { co.Yield(99) }()
		co.Yield(1)
		return 0
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != coro.ErrIgnoredGeneratorExit {
		t.Fatalf("Close: %v, want ErrIgnoredGeneratorExit", err)
	}
	// As in Python, the generator stays suspended at the yield it made
	// while closing (see TestCloseSemanticsMatchCPython).
	if g.State() != coro.Suspended {
		t.Fatalf("state: %v, want suspended", g.State())
	}
	if err := g.Close(); err != nil || g.State() != coro.Closed {
		t.Fatalf("second Close: %v, state %v", err, g.State())
	}
}

func TestCloseCaughtAndReturned(t *testing.T) {
	g := coro.New(func(co *coro.Co[int, int]) (r string) {
		defer func() {
			if v := recover(); v != nil {
				if !errors.Is(coro.Recovered(v), coro.ErrGeneratorExit) {
					panic(v)
				}
				r = "cleaned up"
			}
		}()
		for {
			co.Yield(1)
		}
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if r, ok := g.Result(); !ok || r != "cleaned up" {
		t.Fatalf("Result = %q, %v", r, ok)
	}
}

func TestCloseReportsOtherFailure(t *testing.T) {
	g := coro.New(func(co *coro.Co[int, int]) int {
		defer func() {
			recover()
			panic(errDemo)
		}()
		co.Yield(1)
		return 0
	})
	got(g.Next()).must(t)
	if err := g.Close(); !errors.Is(err, errDemo) {
		t.Fatalf("Close: %v, want errDemo", err)
	}
}

// TestDroppedGeneratorIsClosed checks that a suspended generator that is
// dropped is closed by the collector: its defers run and its goroutine ends.
func TestDroppedGeneratorIsClosed(t *testing.T) {
	finalized := make(chan struct{})
	func() {
		g := coro.New(func(co *coro.Co[int, int]) int {
			defer close(finalized)
			for {
				co.Yield(0)
			}
		})
		g.Next()
	}()
	deadline := time.After(10 * time.Second)
	for {
		runtime.GC()
		select {
		case <-finalized:
			return // goleak in TestMain checks the goroutine is gone
		case <-deadline:
			t.Fatal("dropped generator was not closed within 10s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestAllRangesAndReportsErr(t *testing.T) {
	var log []string
	var vals []int
	for v := range counter(4, &log).All() {
		vals = append(vals, v)
	}
	if !slices.Equal(vals, []int{0, 1, 2, 3}) {
		t.Fatalf("range = %v", vals)
	}

	g := coro.New(func(co *coro.Co[int, struct{}]) int {
		co.Yield(1)
		panic("bad")
	})
	vals = nil
	for v := range g.All() {
		vals = append(vals, v)
	}
	if !slices.Equal(vals, []int{1}) || g.Err() == nil {
		t.Fatalf("range over failing generator: got=%v Err=%v", vals, g.Err())
	}

	// Breaking out leaves the generator suspended and resumable.
	g2 := counter(4, &log)
	for v := range g2.All() {
		if v == 1 {
			break
		}
	}
	if y := got(g2.Next()).must(t); y != 2 || g2.State() != coro.Suspended {
		t.Fatalf("after break: Next = %d, state %v", y, g2.State())
	}
	g2.Close()
}

func TestPrime(t *testing.T) {
	var log []string
	g, err := coro.Prime(counter(2, &log))
	if err != nil || g.State() != coro.Suspended {
		t.Fatalf("Prime: err=%v state=%v", err, g.State())
	}
	if y := got(g.Send(7)).must(t); y != 1 { // ready to be sent a value
		t.Fatalf("Send after Prime = %d", y)
	}
	g.Close()
	empty := coro.New(func(co *coro.Co[int, int]) int { return 1 })
	if _, err := coro.Prime(empty); err != coro.ErrStopIteration {
		t.Fatalf("Prime of a generator that never yields: %v", err)
	}
}

func TestRaiseEndsWithTheErrorItself(t *testing.T) {
	deferred := false
	g := coro.New(func(co *coro.Co[int, int]) int {
		defer func() { deferred = true }()
		co.Yield(1)
		co.Raise(errDemo)
		return 0
	})
	got(g.Next()).must(t)
	if _, err := g.Next(); err != errDemo {
		t.Fatalf("Next = %v, want errDemo itself", err)
	}
	if !deferred || g.State() != coro.Closed || g.Err() != errDemo {
		t.Fatalf("deferred=%v state=%v Err=%v", deferred, g.State(), g.Err())
	}
}
