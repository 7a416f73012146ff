// Package fixed is the fixed version of chansend/goresiliency_23: the
// work goroutine stops trying to deliver once the stopper is closed.
package fixed

import (
	"errors"
	"time"
)

// ErrTimedOut is the error returned by Run when the deadline expires.
var ErrTimedOut = errors.New("timed out waiting for function to finish")

// Deadline implements the deadline/timeout resiliency pattern.
type Deadline struct {
	timeout time.Duration
}

// New constructs a new Deadline with the given timeout.
func New(timeout time.Duration) *Deadline {
	return &Deadline{timeout: timeout}
}

// Run runs the given function, passing it a stopper channel. If the
// deadline passes before the function finishes executing, Run returns
// ErrTimedOut to the caller and closes the stopper channel so that the
// work function can attempt to exit gracefully.
func (d *Deadline) Run(work func(<-chan struct{}) error) error {
	result := make(chan error)
	stopper := make(chan struct{})

	go func() {
		value := work(stopper)
		select {
		case result <- value:
		case <-stopper:
		}
	}()

	select {
	case ret := <-result:
		return ret
	case <-time.After(d.timeout):
		close(stopper)
		return ErrTimedOut
	}
}
