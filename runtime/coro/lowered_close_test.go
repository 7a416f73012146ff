package coro_test

import (
	"errors"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// ignorerMachine is a lowered body that ignores the first exit: it yields
// n, n+1, ...; thrown ErrGeneratorExit makes it yield on once, and end the
// second time.
type ignorerMachine struct {
	n       int
	ignored bool
	resumed int
}

func (m *ignorerMachine) Resume(sent int, thrown error) (int, bool, string, error) {
	m.resumed++
	if thrown == coro.ErrGeneratorExit {
		if m.ignored {
			return 0, true, "", thrown
		}
		m.ignored = true
	} else if thrown != nil {
		return 0, true, "", thrown
	}
	m.n++
	return m.n, false, "", nil
}

// A lowered body that yields while closing is left suspended, as a direct
// one is (the "ignorer" lines of testdata/close_semantics.golden).
func TestMachineIgnoringExitStaysSuspended(t *testing.T) {
	m := &ignorerMachine{}
	g := coro.FromMachine[int, int, string](m)
	got(g.Next()).must(t)
	if err := g.Close(); err != coro.ErrIgnoredGeneratorExit || g.State() != coro.Suspended || g.Err() != nil {
		t.Fatalf("Close: err=%v state=%v Err=%v; want ErrIgnoredGeneratorExit, suspended, nil", err, g.State(), g.Err())
	}
	if y := got(g.Next()).must(t); y != 3 || g.State() != coro.Suspended {
		t.Fatalf("Next = %d, %v; want 3, suspended", y, g.State())
	}
	if err := g.Close(); err != nil || g.State() != coro.Closed {
		t.Fatalf("second Close: %v, %v", err, g.State())
	}
}

// Throw(nil) does not reach a lowered body and leaves it as it was.
func TestMachineThrowNil(t *testing.T) {
	m := &ignorerMachine{}
	g := coro.FromMachine[int, int, string](m)
	if _, err := g.Throw(nil); err != coro.ErrThrowNil || g.State() != coro.Created || m.resumed != 0 {
		t.Fatalf("Throw(nil) on created: err=%v state=%v resumed=%d", err, g.State(), m.resumed)
	}
	got(g.Next()).must(t)
	if _, err := g.Throw(nil); err != coro.ErrThrowNil || g.State() != coro.Suspended || m.resumed != 1 {
		t.Fatalf("Throw(nil) on suspended: err=%v state=%v resumed=%d", err, g.State(), m.resumed)
	}
	if y := got(g.Next()).must(t); y != 2 {
		t.Fatalf("Next after Throw(nil) = %d, want 2", y)
	}
	m.ignored = true
	g.Close()
	if _, err := g.Throw(nil); err != coro.ErrThrowNil || g.State() != coro.Closed {
		t.Fatalf("Throw(nil) on closed: err=%v state=%v", err, g.State())
	}
}

// catchesMachine is what the rewriter generates, in miniature, for
//
//	_, err := coro.YieldFromErr(co, sub)
//	if errors.Is(err, errCleanup) {
//		return "handled"
//	}
//	co.Raise(err)
type catchesMachine struct {
	pc  int
	sub *coro.Generator[int, int, string]
}

func (m *catchesMachine) Resume(sent int, thrown error) (y int, done bool, r string, err error) {
	switch m.pc {
	case 0:
		y, done, _, err = coro.Delegate(m.sub, true, sent, nil)
	case 1:
		y, done, _, err = coro.Delegate(m.sub, false, sent, thrown)
		if coro.DelegateUnwinds(thrown, err) {
			return 0, true, "", err
		}
	}
	if !done {
		m.pc = 1
		return y, false, "", nil
	}
	if errors.Is(err, errCleanup) {
		return 0, true, "handled", nil
	}
	return 0, true, "", err
}

// A lowered delegator catches its sub-generator's failing clean-up during
// Close, direct or lowered sub, and Close returns nil (the "catches" line
// of testdata/close_semantics.golden); a sub that closes cleanly unwinds
// it with the exit, and Close returns nil too.
func TestMachineDelegatorCatchesCleanupError(t *testing.T) {
	for name, sub := range map[string]func() *coro.Generator[int, int, string]{
		"direct sub": failingCleanup,
		"lowered sub": func() *coro.Generator[int, int, string] {
			return coro.FromMachine[int, int, string](&failingMachine{})
		},
	} {
		g := coro.FromMachine[int, int, string](&catchesMachine{sub: sub()})
		got(g.Next()).must(t)
		if err := g.Close(); err != nil || g.State() != coro.Closed {
			t.Fatalf("%s: Close: %v, %v", name, err, g.State())
		}
		if r, ok := g.Result(); !ok || r != "handled" {
			t.Fatalf("%s: Result = %q, %v", name, r, ok)
		}
	}
	g := coro.FromMachine[int, int, string](&catchesMachine{sub: two()})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil || g.State() != coro.Closed {
		t.Fatalf("clean sub: Close: %v, %v", err, g.State())
	}
	if _, ok := g.Result(); ok {
		t.Fatal("clean sub: the delegator returned instead of unwinding")
	}
}

// failingMachine is failingCleanup lowered: its clean-up fails on close.
type failingMachine struct{ started bool }

func (m *failingMachine) Resume(sent int, thrown error) (int, bool, string, error) {
	if !m.started {
		m.started = true
		return 1, false, "", nil
	}
	if thrown == coro.ErrGeneratorExit {
		return 0, true, "", errCleanup
	}
	return 0, true, "", thrown
}

// A direct delegator catches a lowered sub's failing clean-up.
func TestDirectDelegatorCatchesLoweredCleanupError(t *testing.T) {
	g := coro.New(func(co *coro.Co[int, int]) string {
		if _, err := coro.YieldFromErr(co, coro.FromMachine[int, int, string](&failingMachine{})); errors.Is(err, errCleanup) {
			return "handled"
		}
		return ""
	})
	got(g.Next()).must(t)
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if r, _ := g.Result(); r != "handled" {
		t.Fatalf("Result = %q", r)
	}
}

func TestDelegateUnwinds(t *testing.T) {
	for _, c := range []struct {
		thrown, err error
		want        bool
	}{
		{coro.ErrGeneratorExit, coro.ErrGeneratorExit, true},
		{coro.ErrGeneratorExit, errCleanup, false},
		{coro.ErrGeneratorExit, coro.ErrIgnoredGeneratorExit, false},
		{nil, coro.ErrGeneratorExit, false}, // the sub raised it: an error like any
		{errDemo, errDemo, false},
	} {
		if got := coro.DelegateUnwinds(c.thrown, c.err); got != c.want {
			t.Errorf("DelegateUnwinds(%v, %v) = %v", c.thrown, c.err, got)
		}
	}
}
