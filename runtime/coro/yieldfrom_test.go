package coro_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// sub yields "a", "b", "c" with what it was sent appended, handles errDemo
// by yielding "handled", logs its defers, and returns how many it was sent.
func sub(name string, log *[]string) *coro.Generator[string, string, int] {
	return coro.New(func(co *coro.Co[string, string]) int {
		defer func() { *log = append(*log, name+" finally") }()
		n := 0
		for _, v := range []string{"a", "b", "c"} {
			s, err := co.YieldErr(name + ":" + v)
			if errors.Is(err, errDemo) {
				s, err = co.YieldErr(name + ":handled")
			}
			if err != nil {
				co.Raise(err)
			}
			if s != "" {
				n++
				*log = append(*log, name+" got "+s)
			}
		}
		return n
	})
}

// delegator yields from sub and then yields sub's return value.
func delegator(log *[]string, inner *coro.Generator[string, string, int]) *coro.Generator[string, string, string] {
	return coro.New(func(co *coro.Co[string, string]) string {
		defer func() { *log = append(*log, "outer finally") }()
		n := coro.YieldFrom(co, inner)
		co.Yield(fmt.Sprint("sub returned ", n))
		return "outer done"
	})
}

func drain(t *testing.T, g *coro.Generator[string, string, string], sends ...string) []string {
	t.Helper()
	var out []string
	y, err := g.Next()
	for i := 0; err == nil; i++ {
		out = append(out, y)
		s := ""
		if i < len(sends) {
			s = sends[i]
		}
		y, err = g.Send(s)
	}
	if err != coro.ErrStopIteration {
		t.Fatalf("drain: %v", err)
	}
	return out
}

// Rules 1-4: yields pass to the caller, sends pass to the sub-generator
// (a zero send is a next), and the sub's return value is the value of
// YieldFrom.
func TestYieldFromPassesValuesAndReturn(t *testing.T) {
	var log []string
	g := delegator(&log, sub("in", &log))
	out := drain(t, g, "x", "", "z")
	want := []string{"in:a", "in:b", "in:c", "sub returned 2"}
	if !slices.Equal(out, want) {
		t.Fatalf("yields = %v, want %v", out, want)
	}
	if r, _ := g.Result(); r != "outer done" {
		t.Fatalf("Result = %q", r)
	}
	wantLog := []string{"in got x", "in got z", "in finally", "outer finally"}
	if !slices.Equal(log, wantLog) {
		t.Fatalf("log = %v, want %v", log, wantLog)
	}
}

// Rule 5: errors thrown in go to the sub-generator's Throw; if it handles
// them the delegation goes on; if not they propagate to the delegator.
func TestYieldFromForwardsThrow(t *testing.T) {
	var log []string
	g := delegator(&log, sub("in", &log))
	got(g.Next()).must(t)
	if y := got(g.Throw(errDemo)).must(t); y != "in:handled" {
		t.Fatalf("throw handled by sub: yielded %q", y)
	}
	errOther := errors.New("other")
	if _, err := g.Throw(errOther); !errors.Is(err, errOther) {
		t.Fatalf("unhandled throw: %v", err)
	}
	if !slices.Equal(log, []string{"in finally", "outer finally"}) {
		t.Fatalf("log = %v", log)
	}
}

// Rule 5, second half: the delegator may catch what the sub let through.
func TestYieldFromErrLetsDelegatorHandle(t *testing.T) {
	var log []string
	g := coro.New(func(co *coro.Co[string, string]) string {
		_, err := coro.YieldFromErr(co, sub("in", &log))
		return fmt.Sprint("caught: ", err)
	})
	got(g.Next()).must(t)
	if _, err := g.Throw(errors.New("oops")); err != coro.ErrStopIteration {
		t.Fatalf("Throw: %v", err)
	}
	if r, _ := g.Result(); r != "caught: oops" {
		t.Fatalf("Result = %q", r)
	}
}

// Rule 6: closing the delegator closes the sub-generator first, then
// unwinds the delegator.
func TestYieldFromForwardsClose(t *testing.T) {
	var log []string
	g := delegator(&log, sub("in", &log))
	got(g.Next()).must(t)
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if !slices.Equal(log, []string{"in finally", "outer finally"}) {
		t.Fatalf("log = %v", log)
	}
}

// Rule 6, second half: an error from the sub-generator's close propagates
// to the delegator and out of Close.
func TestYieldFromCloseErrorPropagates(t *testing.T) {
	var log []string
	inner := coro.New(func(co *coro.Co[string, string]) int {
		defer func() {
			recover()
			panic(errDemo)
		}()
		co.Yield("x")
		return 0
	})
	g := delegator(&log, inner)
	got(g.Next()).must(t)
	if err := g.Close(); !errors.Is(err, errDemo) {
		t.Fatalf("Close: %v, want errDemo", err)
	}
	if !slices.Equal(log, []string{"outer finally"}) {
		t.Fatalf("log = %v", log)
	}
}

// A chain of delegation several levels deep: values, sends, throws and
// close all cross every level.
func TestYieldFromChain(t *testing.T) {
	var log []string
	const depth = 5
	var build func(level int) *coro.Generator[string, string, int]
	build = func(level int) *coro.Generator[string, string, int] {
		if level == depth {
			return sub(fmt.Sprint("L", level), &log)
		}
		return coro.New(func(co *coro.Co[string, string]) int {
			defer func() { log = append(log, fmt.Sprint("L", level, " finally")) }()
			return coro.YieldFrom(co, build(level+1)) + 1
		})
	}
	g := build(0)
	if y := got(g.Next()).must(t); y != "L5:a" {
		t.Fatalf("Next = %q", y)
	}
	if y := got(g.Send("s1")).must(t); y != "L5:b" {
		t.Fatalf("Send = %q", y)
	}
	if y := got(g.Throw(errDemo)).must(t); y != "L5:handled" {
		t.Fatalf("Throw = %q", y)
	}
	got(g.Send("s2")).must(t)
	if _, err := g.Send("s3"); err != coro.ErrStopIteration {
		t.Fatalf("last Send: %v", err)
	}
	if r, _ := g.Result(); r != 3+depth { // three sends counted, +1 per level
		t.Fatalf("Result = %d, want %d", r, 3+depth)
	}
	want := "L5 got s1,L5 got s2,L5 got s3,L5 finally,L4 finally,L3 finally,L2 finally,L1 finally,L0 finally"
	if strings.Join(log, ",") != want {
		t.Fatalf("log = %v", log)
	}

	log = nil
	g = build(0)
	got(g.Next()).must(t)
	if err := g.Close(); err != nil {
		t.Fatalf("Close chain: %v", err)
	}
	if strings.Join(log, ",") != "L5 finally,L4 finally,L3 finally,L2 finally,L1 finally,L0 finally" {
		t.Fatalf("close order = %v", log)
	}
}

// A panic deep in a chain reaches the outermost caller as a PanicError.
func TestYieldFromPanicPropagates(t *testing.T) {
	inner := coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		panic("deep")
	})
	g := coro.New(func(co *coro.Co[int, int]) int { return coro.YieldFrom(co, inner) })
	got(g.Next()).must(t)
	var pe *coro.PanicError
	if _, err := g.Next(); !errors.As(err, &pe) || pe.Value != "deep" {
		t.Fatalf("err = %v", err)
	}
}

// countdown is a hand-written Machine: what the rewriter generates, in
// miniature. It yields n, n-1, ..., 1, adds what it is sent, and returns the
// sum; it handles errDemo by yielding -1.
type countdown struct {
	n, sum int
	closed *bool
}

func (m *countdown) Resume(sent int, thrown error) (int, bool, int, error) {
	switch {
	case thrown == coro.ErrGeneratorExit:
		*m.closed = true
		return 0, true, 0, thrown
	case errors.Is(thrown, errDemo):
		return -1, false, 0, nil
	case thrown != nil:
		return 0, true, 0, thrown
	}
	m.sum += sent
	if m.n == 0 {
		return 0, true, m.sum, nil
	}
	m.n--
	return m.n + 1, false, 0, nil
}

func TestMachineGeneratorHasSameSemantics(t *testing.T) {
	closed := false
	g := coro.FromMachine[int, int, int](&countdown{n: 2, closed: &closed})
	if _, err := g.Send(3); err != coro.ErrSendNotStarted {
		t.Fatalf("Send to created machine: %v", err)
	}
	if y := got(g.Next()).must(t); y != 2 {
		t.Fatalf("Next = %d", y)
	}
	if y := got(g.Throw(errDemo)).must(t); y != -1 {
		t.Fatalf("Throw = %d", y)
	}
	got(g.Send(10)).must(t)
	if _, err := g.Send(5); err != coro.ErrStopIteration {
		t.Fatalf("last Send: %v", err)
	}
	if r, _ := g.Result(); r != 15 {
		t.Fatalf("Result = %d", r)
	}

	g = coro.FromMachine[int, int, int](&countdown{n: 2, closed: &closed})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil || !closed || g.State() != coro.Closed {
		t.Fatalf("Close: err=%v closed=%v state=%v", err, closed, g.State())
	}
}

// A direct body delegates to a machine and gets its return value; closing
// reaches the machine.
func TestYieldFromAcrossModes(t *testing.T) {
	closed := false
	g := coro.New(func(co *coro.Co[int, int]) int {
		return coro.YieldFrom(co, coro.FromMachine[int, int, int](&countdown{n: 3, closed: &closed}))
	})
	var ys []int
	for y := range g.All() {
		ys = append(ys, y)
	}
	if r, _ := g.Result(); !slices.Equal(ys, []int{3, 2, 1}) || r != 0 {
		t.Fatalf("yields %v result %d", ys, r)
	}
	g = coro.New(func(co *coro.Co[int, int]) int {
		return coro.YieldFrom(co, coro.FromMachine[int, int, int](&countdown{n: 3, closed: &closed}))
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil || !closed {
		t.Fatalf("Close across modes: err=%v closed=%v", err, closed)
	}
}
