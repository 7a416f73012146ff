// Package errkind holds the error type behind the sentinel errors that
// runtime/aio and runtime/futures both define, so that each package's
// cancellation and timeout errors match the other's with errors.Is, and
// the context package's: aio.ErrTimeout, futures.ErrTimeout and
// context.DeadlineExceeded are one condition, as asyncio.TimeoutError and
// concurrent.futures.TimeoutError are both TimeoutError in Python.
package errkind

import "context"

// Kind is the condition a sentinel stands for.
type Kind uint8

const (
	// Cancelled is cancellation; it matches context.Canceled.
	Cancelled Kind = iota + 1
	// Timeout is a deadline that passed; it matches context.DeadlineExceeded.
	Timeout
)

// Error is a sentinel error of a Kind. Sentinels of the same Kind match
// each other with errors.Is, whatever their message.
type Error struct {
	msg  string
	kind Kind
}

// New returns a sentinel of kind k with the message msg.
func New(k Kind, msg string) *Error { return &Error{msg: msg, kind: k} }

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Is reports whether target is a sentinel of the same Kind, or the
// context package's error for that Kind.
func (e *Error) Is(target error) bool {
	if t, ok := target.(*Error); ok {
		return t.kind == e.kind
	}
	switch e.kind {
	case Cancelled:
		return target == context.Canceled
	case Timeout:
		return target == context.DeadlineExceeded
	}
	return false
}
