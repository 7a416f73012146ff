package coro

import (
	"errors"
	"fmt"
	"iter"
	"reflect"
)

// State is the execution state of a generator (Python's
// inspect.getgeneratorstate).
type State uint8

const (
	Created   State = iota // not started yet
	Running                // executing its body
	Suspended              // paused at a yield
	Closed                 // finished, failed or closed
)

func (s State) String() string {
	switch s {
	case Created:
		return "created"
	case Running:
		return "running"
	case Suspended:
		return "suspended"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

var (
	// ErrStopIteration is returned by Next, Send and Throw when the generator
	// has returned (Python's StopIteration). Result gives the return value.
	ErrStopIteration = errors.New("coro: generator stopped")

	// ErrRunning is returned when a generator is resumed while it is already
	// executing, as when a body resumes its own generator.
	ErrRunning = errors.New("coro: generator already executing")

	// ErrSendNotStarted is returned by Send when a value other than the zero
	// value is sent to a generator that has not started.
	ErrSendNotStarted = errors.New("coro: can't send non-zero value to a just-started generator")

	// ErrGeneratorExit is what Close throws into a suspended body (Python's
	// GeneratorExit). A body sees it only by recovering in a deferred
	// function; Close itself returns nil when the body unwinds.
	ErrGeneratorExit = errors.New("coro: generator exit")

	// ErrIgnoredGeneratorExit is returned by Close when the body yielded
	// while being closed (Python's RuntimeError "generator ignored
	// GeneratorExit"). The generator is left suspended at that yield.
	ErrIgnoredGeneratorExit = errors.New("coro: generator ignored GeneratorExit")

	// ErrThrowNil is returned by Throw(nil), which throws nothing (Python's
	// TypeError for g.throw(None)): the generator is left as it was.
	ErrThrowNil = errors.New("coro: Throw called with a nil error")
)

// PanicError reports a panic in a generator body. The generator is closed.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the body's stack when it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("coro: generator panicked: %v", e.Value) }

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Machine is a generator body: the rewriter's state machines and the direct
// mode's coroutines both implement it, and Generator drives it.
//
// Resume runs the body from where it is to its next suspension or its end.
// The first call starts the body, with the zero value and a nil error. Each
// later call carries what the caller delivered at the suspension point:
// either a value sent in (thrown is nil) or an error thrown in. Close throws
// ErrGeneratorExit; a body should then unwind (running its pending defers).
// If it yields instead, Generator's Close reports ErrIgnoredGeneratorExit
// and the body is suspended at that yield: the next Resume continues there.
//
// Resume reports one of three outcomes:
//   - the body yielded y: done is false;
//   - the body returned r: done is true and err is nil;
//   - the body failed: done is true and err is the error. An error thrown in
//     and not handled is returned as it is (ErrGeneratorExit too); a panic
//     is returned as a *PanicError (see Recovered).
//
// Resume must not panic. Generator never calls it again after done, nor
// while a call is in progress, nor concurrently.
type Machine[Y, S, R any] interface {
	Resume(sent S, thrown error) (y Y, done bool, r R, err error)
}

// Generator is a generator object: the suspended execution of a generator
// function's body, driven by Next, Send, Throw and Close.
type Generator[Y, S, R any] struct {
	body     Machine[Y, S, R]
	direct   *direct[Y, S, R] // body, when it is a direct one: the fast path
	state    State
	returned bool // the body returned, so result is its value
	result   R
	err      error // the error the body failed with
}

// FromMachine returns a generator whose body is m. The asyncgo rewriter
// calls it with the state machine it generates; the generator is in the
// Created state and m.Resume is first called by Next or Send.
func FromMachine[Y, S, R any](m Machine[Y, S, R]) *Generator[Y, S, R] {
	return &Generator[Y, S, R]{body: m}
}

// State reports the generator's state.
func (g *Generator[Y, S, R]) State() State { return g.state }

// Next resumes the generator and returns the next value it yields, like
// Python's next(g). It returns ErrStopIteration once the body has returned,
// or the error the body failed with.
func (g *Generator[Y, S, R]) Next() (Y, error) {
	var zero S
	return g.resume(zero, nil, false)
}

// Send resumes the generator, making the pending Yield return s, and returns
// the next value it yields. A generator that has not started can only be
// sent the zero value (which starts it, like Next); anything else returns
// ErrSendNotStarted and leaves the generator as it was.
func (g *Generator[Y, S, R]) Send(s S) (Y, error) { return g.resume(s, nil, true) }

// Throw raises err at the suspension point. If the body handles it (see
// Co.YieldErr) and yields again, Throw returns that value; if the body
// returns, ErrStopIteration; otherwise the generator closes and Throw returns
// the error the body ended with, err itself if it simply propagated. Throwing
// into a generator that has not started closes it without running the body
// and returns err; throwing into a closed one returns err. Throw(nil)
// returns ErrThrowNil and leaves the generator as it was.
func (g *Generator[Y, S, R]) Throw(err error) (Y, error) {
	if err == nil {
		var y Y
		return y, ErrThrowNil
	}
	var zero S
	return g.resume(zero, err, false)
}

// resume delivers sent or thrown to the body; isSend marks a Send, which
// may not start a generator with a non-zero value.
func (g *Generator[Y, S, R]) resume(sent S, thrown error, isSend bool) (y Y, err error) {
	if g.state == Suspended && thrown == nil {
		// The common case, a suspended body being sent a value, first.
		g.state = Running
		if d := g.direct; d != nil {
			// direct.Resume written out: each call frame between the
			// caller and the coroutine switch costs a mispredicted return
			// on every resumption.
			d.co.sent = sent
			d.next()
			if !d.done {
				g.state = Suspended
				return d.co.y, nil
			}
			return g.finish(d.finish())
		}
		y, done, r, err := g.body.Resume(sent, nil)
		if !done {
			g.state = Suspended
			return y, nil
		}
		return g.finish(y, done, r, err)
	}
	switch g.state {
	case Running:
		return y, ErrRunning
	case Closed:
		if thrown != nil {
			return y, thrown
		}
		return y, ErrStopIteration
	case Created:
		if thrown != nil {
			g.state = Closed
			return y, thrown
		}
		if isSend && !isZero(sent) {
			return y, ErrSendNotStarted
		}
	}
	g.state = Running
	return g.finish(g.body.Resume(sent, thrown))
}

// finish records the outcome of a resumption.
func (g *Generator[Y, S, R]) finish(y Y, done bool, r R, err error) (Y, error) {
	if !done {
		g.state = Suspended
		return y, nil
	}
	g.state = Closed
	if err != nil {
		g.err = err
		return y, err
	}
	g.returned, g.result = true, r
	return y, ErrStopIteration
}

// Close closes the generator, like Python's g.close(): a suspended body is
// unwound from its Yield, running its defers. Close returns nil when the
// body unwinds or returns, and any other error the body failed with while
// closing. A body that yields while closing (a deferred function that
// recovered the exit and yields, say) is ignoring it: Close returns
// ErrIgnoredGeneratorExit and the generator stays suspended at that yield,
// to be resumed or closed again, as in Python. Closing a generator that has
// not started, or is already closed, does nothing.
func (g *Generator[Y, S, R]) Close() error {
	switch g.state {
	case Created:
		g.state = Closed
		return nil
	case Closed:
		return nil
	case Running:
		return ErrRunning
	}
	var zero S
	g.state = Running
	_, done, r, err := g.body.Resume(zero, ErrGeneratorExit)
	if !done {
		// The body yielded: it stays suspended there, as in Python.
		g.state = Suspended
		return ErrIgnoredGeneratorExit
	}
	g.state = Closed
	switch {
	case err == nil:
		// The body caught the exit and returned.
		g.returned, g.result = true, r
		return nil
	case errors.Is(err, ErrGeneratorExit):
		return nil
	default:
		g.err = err
	}
	return g.err
}

// Result returns the value the body returned (Python's StopIteration.value)
// and true, or the zero value and false if the body has not returned.
func (g *Generator[Y, S, R]) Result() (R, bool) { return g.result, g.returned }

// Err returns the error the body failed with, or nil if it has not failed.
// After a range loop over All, Err tells a failure from exhaustion.
func (g *Generator[Y, S, R]) Err() error { return g.err }

// All returns an iterator over the values the generator yields, for use
// with range (Python's for x in g). The loop ends when the generator stops
// or fails (see Err). Breaking out of the loop leaves the generator
// suspended, as in Python, so it can be resumed or closed later.
func (g *Generator[Y, S, R]) All() iter.Seq[Y] {
	return func(yield func(Y) bool) {
		for {
			y, err := g.Next()
			if err != nil || !yield(y) {
				return
			}
		}
	}
}

// Prime starts g by advancing it to its first yield and returns it, ready
// to be sent values: the @coroutine decorator of the seeds. It returns the
// error if g stops or fails before yielding.
func Prime[Y, S, R any](g *Generator[Y, S, R]) (*Generator[Y, S, R], error) {
	if _, err := g.Next(); err != nil {
		return g, err
	}
	return g, nil
}

// isZero reports whether v is its type's zero value. It is used only on the
// rare path of a Send to a generator that has not started.
func isZero[T any](v T) bool {
	return reflect.ValueOf(&v).Elem().IsZero()
}
