package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Evaluation order around awaits (Go spec, "Order of evaluation" and
// "Logical operators": the right operand of && and || is evaluated only
// when the left does not decide; calls in an expression are made left to
// right), and switch statements (cases evaluated top to bottom, left to
// right, only until one matches).

// Check logs and returns v after a turn.
//
//asyncgo:async
func Check(name string, v bool) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		logf(t.Loop(), "check %s", name)
		err := aio.Sleep(t, time.Millisecond)
		return v, err
	})
}

// truth unwraps an await's result for use in a condition.
func truth(v bool, err error) bool { return v && err == nil }

// note logs s and returns it.
func note2(s string) string { out.log("note %s", s); return s }

// ShortCircuit awaits on the right of && and || in conditions,
// assignments, returns and loop conditions.
//
//asyncgo:async
func ShortCircuit(x int) *aio.Coroutine[bool] {
	return aio.Async(func(t *aio.Task) (bool, error) {
		l := t.Loop()
		if x > 0 && truth(aio.Await(t, Check("and-right", true))) {
			logf(l, "and taken")
		}
		if x > 0 || truth(aio.Await(t, Check("or-right", false))) {
			logf(l, "or taken")
		}
		both := x%2 == 0 && truth(aio.Await(t, Check("both-1", true))) && truth(aio.Await(t, Check("both-2", x > 2)))
		either := x < 0 || aio.Sleep(t, 0) != nil || x == 3
		logf(l, "both=%v either=%v", both, either)
		n := 0
		for n < 3 && (x == 0 || truth(aio.Await(t, Check(fmt.Sprint("loop ", n), n < x)))) {
			n++
		}
		logf(l, "loop ran %d", n)
		return x != 1 && truth(aio.Await(t, Check("return", x > 1))), nil
	})
}

var _ = register("order_short_circuit", func() {
	for _, x := range []int{-1, 0, 1, 2, 3, 4} {
		run(ShortCircuit(x))
	}
})

// Operands evaluates calls left to right around an await in the same
// expression.
//
//asyncgo:async
func Operands() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		s := note2("a") + describe(aio.Sleep(t, time.Second)) + note2("b")
		logf(t.Loop(), "s=%s", s)
		xs := []string{note2("c"), describe(aio.Sleep(t, 0)), note2("d")}
		m := map[string]bool{note2("k"): truth(aio.Await(t, Check("value", true)))}
		f := func(a, b, c string) string { return a + b + c }
		r := f(note2("e"), fmt.Sprint(truth(aio.Await(t, Check("arg", true)))), note2("f"))
		return fmt.Sprint(xs, m, r), nil
	})
}

var _ = register("order_operands", func() { run(Operands()) })

// Pick returns v after a turn, logging.
//
//asyncgo:async
func Pick(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		logf(t.Loop(), "pick %d", v)
		aio.Sleep(t, 0)
		return v, nil
	})
}

// must drops an await's error (the corpus's coroutines here do not fail).
func must[T any](v T, _ error) T { return v }

// Switches awaits in a switch's init and tag, in case expressions (only
// those evaluated before the match run), in a type switch's guard, and
// falls through across awaits.
//
//asyncgo:async
func Switches(x int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		s := ""
		switch y := must(aio.Await(t, Pick(x))); y {
		case must(aio.Await(t, Pick(1))):
			s += "one"
		case must(aio.Await(t, Pick(2))), must(aio.Await(t, Pick(3))):
			s += "two-or-three"
			fallthrough
		case must(aio.Await(t, Pick(100))):
			aio.Sleep(t, 0)
			s += "+fell"
		default:
			s += "default"
		}
		var v any = x
		if x > 2 {
			v = fmt.Sprint(x)
		}
		switch w := v.(type) {
		case int:
			n, _ := aio.Await(t, Pick(w*10))
			s += fmt.Sprint(" int ", n)
		case string:
			aio.Sleep(t, 0)
			s += " string " + w
		}
		switch {
		case x == 0:
		case truth(aio.Await(t, Check("tagless", x > 3))):
			s += " big"
		}
		logf(l, "switch %d: %s", x, s)
		return s, nil
	})
}

var _ = register("order_switch_cases", func() {
	for _, x := range []int{0, 1, 2, 3, 4} {
		run(Switches(x))
	}
})

// CancelCounts cancels a sleeping task twice (one delivery, cancelling
// counts 2), and a task that returns another error than the cancellation
// (it fails, it is not cancelled) or one joined with it (cancelled).
//
//asyncgo:async
func CancelCounts() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		l := t.Loop()
		h := aio.CreateTask(t, Counter())
		aio.Sleep(t, time.Second)
		h.Cancel()
		h.Cancel()
		n, err := aio.Await(t, h)
		logf(l, "counter: %d %v cancelled=%v", n, err, h.Cancelled())
		for _, mode := range []string{"other", "joined", "wrapped", "nil"} {
			h := aio.CreateTask(t, Replacer(mode))
			aio.Sleep(t, 0)
			h.Cancel()
			_, err := aio.Await(t, h)
			logf(l, "%s: %v cancelled=%v is=%v", mode, err, h.Cancelled(), errors.Is(err, aio.ErrCancelled))
		}
		return "counts", nil
	})
}

// Counter sleeps; cancelled twice at once, it sees one ErrCancelled and
// a count of 2; uncancelling once leaves 1, and its next sleep completes.
//
//asyncgo:async
func Counter() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		l := t.Loop()
		err := aio.Sleep(t, time.Hour)
		logf(l, "counter: %v cancelling=%d", err, t.Cancelling())
		logf(l, "uncancel -> %d", t.Uncancel())
		err = aio.Sleep(t, time.Second)
		logf(l, "counter slept again: %v cancelling=%d", err, t.Cancelling())
		logf(l, "uncancel -> %d", t.Uncancel())
		return t.Cancelling(), err
	})
}

// Replacer replaces its cancellation by what mode says.
//
//asyncgo:async
func Replacer(mode string) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		err := aio.Sleep(t, time.Hour)
		switch mode {
		case "other":
			return 1, errBoom
		case "joined":
			return 2, errors.Join(errBoom, err)
		case "wrapped":
			return 3, fmt.Errorf("wrapped: %w", err)
		}
		return 4, nil
	})
}

var _ = register("cancel_counts_and_replaced", func() { run(CancelCounts()) })
