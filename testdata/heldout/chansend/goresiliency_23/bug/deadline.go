// Package bug is a held-out kernel (issue 14): a deadline wrapper whose
// work goroutine sends its result after Run has given up and returned.
//
// Upstream: eapache/go-resiliency#23 ("goroutine leak in Deadline.Run")
// Round: 3
//
// Bug: Deadline.Run starts the work function in a goroutine that sends
// the work's return value on an unbuffered result channel, and waits for
// either that value or the timeout. On timeout Run closes the stopper
// channel (so cooperative work can stop early) and returns ErrTimedOut;
// the goroutine then blocks on "result <- work(stopper)" forever, since
// nothing reads result any more.
//
// Fix: the goroutine's send is a select that also returns once the
// stopper channel is closed.
package bug

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
		result <- work(stopper) // heldout:site
	}()

	select {
	case ret := <-result:
		return ret
	case <-time.After(d.timeout):
		close(stopper)
		return ErrTimedOut // heldout:site
	}
}
