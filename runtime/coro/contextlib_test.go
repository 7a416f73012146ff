package coro_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// lookingGlass is a one-yield generator context manager in the style of
// the seeds' looking_glass: set-up, yield, tear-down; it suppresses
// errDemo like the seeds' ZeroDivisionError handler.
func lookingGlass(log *[]string) *coro.Generator[string, struct{}, struct{}] {
	return coro.New(func(co *coro.Co[string, struct{}]) struct{} {
		*log = append(*log, "enter")
		defer func() { *log = append(*log, "restore") }()
		if _, err := co.YieldErr("JABBERWOCKY"); err != nil {
			if !errors.Is(err, errDemo) {
				co.Raise(err)
			}
			*log = append(*log, "Please DO NOT divide by zero!")
		}
		return struct{}{}
	})
}

func TestWith(t *testing.T) {
	var log []string
	err := coro.With(lookingGlass(&log), func(what string) error {
		log = append(log, "body "+what)
		return nil
	})
	if err != nil || strings.Join(log, ",") != "enter,body JABBERWOCKY,restore" {
		t.Fatalf("err=%v log=%v", err, log)
	}

	log = nil
	err = coro.With(lookingGlass(&log), func(string) error { return errDemo })
	if err != nil {
		t.Fatalf("suppressed error came back: %v", err)
	}
	if strings.Join(log, ",") != "enter,Please DO NOT divide by zero!,restore" {
		t.Fatalf("log = %v", log)
	}

	log = nil
	errOther := errors.New("other")
	if err := coro.With(lookingGlass(&log), func(string) error { return errOther }); err != errOther {
		t.Fatalf("unsuppressed error: %v", err)
	}
	if strings.Join(log, ",") != "enter,restore" {
		t.Fatalf("log = %v", log)
	}
}

func TestWithProtocolErrors(t *testing.T) {
	noYield := coro.New(func(co *coro.Co[int, struct{}]) int { return 0 })
	ran := false
	err := coro.With(noYield, func(int) error { ran = true; return nil })
	if !errors.Is(err, coro.ErrContextManager) || ran {
		t.Fatalf("generator that doesn't yield: err=%v ran=%v", err, ran)
	}

	var log []string
	twice := coro.New(func(co *coro.Co[int, struct{}]) int {
		defer func() { log = append(log, "closed") }()
		co.Yield(1)
		co.Yield(2)
		return 0
	})
	err = coro.With(twice, func(int) error { return nil })
	if !errors.Is(err, coro.ErrContextManager) || !slices.Equal(log, []string{"closed"}) {
		t.Fatalf("generator that yields twice: err=%v log=%v", err, log)
	}
}

func TestWithPanicInBlockClosesGenerator(t *testing.T) {
	var log []string
	func() {
		defer func() {
			if v := recover(); v != "block panicked" {
				t.Fatalf("recovered %v", v)
			}
		}()
		coro.With(lookingGlass(&log), func(string) error { panic("block panicked") })
	}()
	if strings.Join(log, ",") != "enter,restore" {
		t.Fatalf("log = %v", log)
	}
}

func TestExitStack(t *testing.T) {
	var log []string
	var s coro.ExitStack
	e1, e2 := errors.New("e1"), errors.New("e2")
	s.Callback(func() error { log = append(log, "first"); return e1 })
	s.Callback(func() error { log = append(log, "second"); return nil })
	s.Callback(func() error { log = append(log, "third"); return e2 })
	err := s.Close()
	if strings.Join(log, ",") != "third,second,first" {
		t.Fatalf("order = %v, want LIFO", log)
	}
	if !errors.Is(err, e1) || !errors.Is(err, e2) {
		t.Fatalf("Close = %v, want both errors joined", err)
	}
	if err := s.Close(); err != nil || len(log) != 3 {
		t.Fatal("a closed stack ran its callbacks again")
	}
}

func TestExitStackSuppressAndEnter(t *testing.T) {
	var log []string
	var s coro.ExitStack
	v, err := coro.Enter(&s, lookingGlass(&log))
	if err != nil || v != "JABBERWOCKY" {
		t.Fatalf("Enter = %q, %v", v, err)
	}
	s.Push(func(err error) error {
		log = append(log, "saw "+err.Error())
		return err // pass it on to the looking glass, which suppresses it
	})
	if err := s.Unwind(errDemo); err != nil {
		t.Fatalf("Unwind = %v, want suppressed", err)
	}
	want := "enter,saw demo,Please DO NOT divide by zero!,restore"
	if strings.Join(log, ",") != want {
		t.Fatalf("log = %v", log)
	}
}

func TestExitStackPopAll(t *testing.T) {
	var log []string
	open := func() (*coro.ExitStack, error) {
		var s coro.ExitStack
		defer s.Close() // runs nothing once the clean-ups are handed on
		s.Callback(func() error { log = append(log, "release"); return nil })
		return s.PopAll(), nil
	}
	s, _ := open()
	if len(log) != 0 {
		t.Fatalf("clean-up ran early: %v", log)
	}
	s.Close()
	if !slices.Equal(log, []string{"release"}) {
		t.Fatalf("log = %v", log)
	}
}
