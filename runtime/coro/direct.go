package coro

import (
	"iter"
	"runtime"
	"runtime/debug"
)

// Co is a direct-mode generator body's handle: the body yields through it.
// Y is the type of the values yielded and S of the values sent in.
// A Co belongs to its body and must not be used outside it.
type Co[Y, S any] struct {
	yield  func(struct{}) bool // the coroutine switch back to the caller
	y      Y                   // the value being yielded
	sent   S                   // the value sent in at resumption
	thrown error               // or the error thrown in
	flags  coFlags             // zero but while closing or after the end
}

// coFlags are the rare conditions a yield must check; Yield tests them all
// at once.
type coFlags uint8

const (
	closing coFlags = 1 << iota // Close has thrown ErrGeneratorExit in
	stopped                     // the coroutine was stopped: it cannot yield
	ended                       // the body has ended: the Co is spent
)

// errEndedUse is the panic of a Co used after its body ended.
const errEndedUse = "coro: Co used after its generator's body ended (a Co belongs to its body and must not be kept past it)"

// beforeYield handles a yield while flags are set: after the body ended it
// panics with a message saying so; while closing, the yield goes ahead and
// Close reports ErrIgnoredGeneratorExit, leaving the generator suspended
// there, as Python does. A coroutine that was stopped cannot suspend any
// more, so its yield unwinds the body instead.
func (co *Co[Y, S]) beforeYield() {
	switch {
	case co.flags&ended != 0:
		panic(errEndedUse)
	case co.flags&stopped != 0:
		panic(&unwind{ErrIgnoredGeneratorExit})
	}
	co.flags &^= closing // the body yields: it is no longer closing
}

// unwind is the panic value that carries an error up a direct body: an error
// thrown in and not caught, or the generator exit. It is recovered where the
// body starts and turned back into the error.
type unwind struct{ err error }

// exchange yields y and returns what the caller delivers next: the value
// sent in, or the error thrown in. Close unwinds the body from here, unless
// raw is set (for YieldFrom, which must close its sub-generator first): then
// ErrGeneratorExit is returned. The fast path is small enough to inline into
// Yield; the rest is in delivered.
func (co *Co[Y, S]) exchange(y Y, raw bool) (S, error) {
	if co.flags != 0 {
		co.beforeYield()
	}
	co.y = y
	if !co.yield(struct{}{}) || co.thrown != nil {
		return co.delivered(raw)
	}
	return co.sent, nil
}

// delivered handles a resumption that did not send a value: an error was
// thrown in, or the coroutine was stopped without a Close.
func (co *Co[Y, S]) delivered(raw bool) (S, error) {
	var zero S
	err := co.thrown
	co.thrown = nil
	if err == nil || err == ErrGeneratorExit {
		// Close, or the coroutine was stopped: the body must unwind.
		if err == nil {
			co.flags |= stopped
		}
		co.flags |= closing
		err = ErrGeneratorExit
		if !raw {
			panic(&unwind{err})
		}
	}
	return zero, err
}

// YieldErr yields y to the caller and suspends the body until it is resumed.
// It returns the value sent in (the zero value for Next), or the error
// thrown in by Throw, which the body may handle and carry on: Python's
//
//	try:
//	    s = yield y
//	except E as err:
//	    ...
//
// Close does not return here: it unwinds the body (see Generator.Close).
func (co *Co[Y, S]) YieldErr(y Y) (S, error) { return co.exchange(y, false) }

// Yield yields y to the caller, suspends the body until it is resumed, and
// returns the value sent in (the zero value for Next). An error thrown in
// unwinds the body from here, running its defers, and ends the generator
// with that error, as an uncaught exception does in Python.
func (co *Co[Y, S]) Yield(y Y) S {
	// exchange, written out: each call frame between the body and the
	// coroutine switch costs a mispredicted return on every resumption.
	if co.flags != 0 {
		co.beforeYield()
	}
	co.y = y
	if !co.yield(struct{}{}) || co.thrown != nil {
		if _, err := co.delivered(false); err != nil {
			panic(&unwind{err})
		}
	}
	return co.sent
}

// Raise ends the body with err, as Python's raise does in a generator: the
// body unwinds, running its defers, and the Next, Send or Throw that resumed
// it returns err itself. A body that caught an error with YieldErr and
// cannot handle it re-raises it this way. Raise(nil) panics.
func (co *Co[Y, S]) Raise(err error) {
	if err == nil {
		panic("coro: Raise(nil)")
	}
	if co.flags&ended != 0 {
		panic(errEndedUse)
	}
	panic(&unwind{err})
}

// New returns a generator whose body is fn, run in direct mode as a stackful
// coroutine. Nothing runs until the first Next or Send.
//
// A generator that is dropped while suspended is closed when the garbage
// collector finds it unreachable, as CPython closes generators it collects,
// so its goroutine and defers are not left behind; Close it explicitly to
// run the defers at a known time.
func New[Y, S, R any](fn func(co *Co[Y, S]) R) *Generator[Y, S, R] {
	d := &direct[Y, S, R]{fn: fn}
	g := &Generator[Y, S, R]{body: d, direct: d}
	runtime.AddCleanup(g, func(d *direct[Y, S, R]) { go d.abandon() }, d)
	return g
}

// direct is a Machine that runs its body as a coroutine through iter.Pull,
// whose hand-off is the Go runtime's coroutine switch. The body and the
// switch must not reference the Generator, so that an abandoned generator
// can be collected and its coroutine closed.
type direct[Y, S, R any] struct {
	fn   func(co *Co[Y, S]) R
	co   Co[Y, S]
	next func() (struct{}, bool)
	stop func()
	done bool
	r    R
	err  error
}

func (d *direct[Y, S, R]) run(yield func(struct{}) bool) {
	d.co.yield = yield
	defer func() {
		if v := recover(); v != nil {
			d.err = Recovered(v)
		}
		d.done = true
		d.co.flags |= ended
	}()
	d.r = d.fn(&d.co)
}

// Resume implements Machine.
func (d *direct[Y, S, R]) Resume(sent S, thrown error) (y Y, done bool, r R, err error) {
	if d.next == nil {
		d.next, d.stop = iter.Pull(d.run)
	}
	d.co.sent, d.co.thrown = sent, thrown
	d.next()
	if d.done {
		return d.finish()
	}
	return d.co.y, false, r, nil
}

func (d *direct[Y, S, R]) finish() (y Y, done bool, r R, err error) {
	d.stop()
	var zero S
	d.co.y, d.co.sent = y, zero // let go of what the body last exchanged
	return y, true, d.r, d.err
}

// abandon closes the coroutine of a generator that was dropped while
// suspended. It runs on its own goroutine, after the Generator is gone.
func (d *direct[Y, S, R]) abandon() {
	if d.next == nil || d.done {
		return
	}
	var zero S
	if _, done, _, _ := d.Resume(zero, ErrGeneratorExit); !done {
		// The body ignored the exit and yielded: stop the coroutine, which
		// unwinds it from that yield; it cannot suspend again.
		d.stop()
	}
}

// Recovered turns a value recovered from a panic in a generator body into
// the error that ends the generator: the error carried by an uncaught throw
// or close, or else a *PanicError with the current stack. Lowered bodies call
// it from their deferred recover.
func Recovered(v any) error {
	if u, ok := v.(*unwind); ok {
		return u.err
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}
