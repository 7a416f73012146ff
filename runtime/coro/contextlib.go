package coro

import (
	"errors"
	"fmt"
)

// ErrContextManager reports a generator that broke the context-manager
// protocol: it did not yield, or yielded more than once.
var ErrContextManager = errors.New("coro: generator broke the context manager protocol")

// With uses a generator as a context manager, like a function decorated
// with Python's @contextlib.contextmanager in a with statement. The body of
// g runs up to its single yield (its set-up), block runs with the value
// yielded, then g is resumed to run its tear-down:
//
//   - if block returns nil, g is resumed and must return;
//   - if block returns an error, it is thrown in at the yield. If g handles
//     it (YieldErr) and returns, the error is suppressed and With returns
//     nil; if g lets it propagate, With returns it; if g fails with
//     another error, With returns that one.
//
// If block panics, g is closed (its defers run) and the panic continues.
// A generator that does not yield, or yields a second time, is an error
// wrapping ErrContextManager; in the second case it is closed.
func With[T, S, R any](g *Generator[T, S, R], block func(T) error) error {
	v, err := g.Next()
	if err == ErrStopIteration {
		return fmt.Errorf("%w: generator didn't yield", ErrContextManager)
	}
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			g.Close()
		}
	}()
	berr := block(v)
	ok = true
	if berr == nil {
		_, err = g.Next()
	} else {
		_, err = g.Throw(berr)
	}
	switch {
	case err == ErrStopIteration:
		return nil
	case err != nil:
		return err
	}
	g.Close()
	return fmt.Errorf("%w: generator didn't stop", ErrContextManager)
}

// ExitStack is a stack of clean-up callbacks run in last-in, first-out
// order, like Python's contextlib.ExitStack. Go's defer covers the common
// case; ExitStack is for a number of resources known only at run time, or
// clean-ups handed on to a caller. The zero value is an empty stack.
type ExitStack struct {
	exits []func(error) error
}

// Push adds an exit callback. When the stack unwinds, the callback receives
// the error so far (nil if none) and returns the error to continue with: the
// same error to pass it on, nil to suppress it, or another error.
func (s *ExitStack) Push(exit func(err error) error) {
	s.exits = append(s.exits, exit)
}

// Callback adds a clean-up function; an error it returns is joined to the
// error so far.
func (s *ExitStack) Callback(f func() error) {
	s.Push(func(err error) error { return errors.Join(err, f()) })
}

// Enter runs generator g's set-up up to its yield (see With) and pushes its
// tear-down onto s: when s unwinds, the error so far is thrown in at the
// yield (or g is resumed if there is none), and what g does decides the
// error passed on, as in With. It returns the value g yielded.
func Enter[T, S, R any](s *ExitStack, g *Generator[T, S, R]) (T, error) {
	v, err := g.Next()
	if err == ErrStopIteration {
		return v, fmt.Errorf("%w: generator didn't yield", ErrContextManager)
	}
	if err != nil {
		return v, err
	}
	s.Push(func(prev error) error {
		var err error
		if prev == nil {
			_, err = g.Next()
		} else {
			_, err = g.Throw(prev)
		}
		switch {
		case err == ErrStopIteration:
			return nil
		case err != nil:
			return err
		}
		g.Close()
		return errors.Join(prev, fmt.Errorf("%w: generator didn't stop", ErrContextManager))
	})
	return v, nil
}

// Unwind runs the exit callbacks, last pushed first, starting from err, and
// returns the error left at the end. The stack is empty afterwards. Use it
// to hand a function's error through the stack:
//
//	defer func() { err = stack.Unwind(err) }()
func (s *ExitStack) Unwind(err error) error {
	for len(s.exits) > 0 {
		n := len(s.exits) - 1
		exit := s.exits[n]
		s.exits = s.exits[:n]
		err = exit(err)
	}
	return err
}

// Close unwinds the stack with no error and returns the errors the
// callbacks produced.
func (s *ExitStack) Close() error { return s.Unwind(nil) }

// PopAll moves the callbacks to a new stack and returns it, leaving s empty:
// set-up code that succeeds hands its clean-ups on to the caller.
func (s *ExitStack) PopAll() *ExitStack {
	t := &ExitStack{exits: s.exits}
	s.exits = nil
	return t
}
