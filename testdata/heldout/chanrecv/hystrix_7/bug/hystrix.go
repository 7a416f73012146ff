// Package bug is a held-out kernel (issue 14): a receive on a returned
// error channel that nothing sends on or closes when the command succeeds.
//
// Upstream: afex/hystrix-go#7 ("Go() hangs if you only check for errors")
// Seen: 891f139 (analyzer/chanblock's testdata real/errresult.go reduces the same bug)
//
// Bug: Go returns the command's error channel, which receives a value only
// when the command fails or times out; a caller that waits for the outcome
// with `err := <-errors` blocks forever after a success.
//
// Fix: the command closes its error channel when it is done, so the
// receive yields nil on success.
package bug

import (
	"errors"
	"sync"
	"time"
)

type runFunc func() error
type fallbackFunc func(error) error

// ErrTimeout is the error of a command that ran past its timeout.
var ErrTimeout = errors.New("hystrix: timeout")

type command struct {
	sync.Mutex
	run      runFunc
	fallback fallbackFunc
	start    time.Time
	errChan  chan error
	finished chan bool
	reported bool
}

func (c *command) errorWithFallback(err error) {
	c.Lock()
	defer c.Unlock()
	if c.reported {
		return
	}
	c.reported = true
	if c.fallback != nil {
		err = c.fallback(err)
	}
	if err != nil {
		c.errChan <- err
	}
}

// Go runs run in the background, with fallback on failure, and returns a
// channel for the errors.
func Go(name string, run runFunc, fallback fallbackFunc) chan error {
	cmd := &command{
		run:      run,
		fallback: fallback,
		start:    time.Now(),
		errChan:  make(chan error, 1),
		finished: make(chan bool, 1),
	}
	go func() {
		defer func() { cmd.finished <- true }()
		if err := run(); err != nil {
			cmd.errorWithFallback(err)
		}
	}()
	go func() {
		timer := time.NewTimer(time.Second)
		defer timer.Stop()
		select {
		case <-cmd.finished:
		case <-timer.C:
			cmd.errorWithFallback(ErrTimeout)
		}
	}()
	return cmd.errChan // heldout:site
}

// checkRemote is the user's code: it only checks for errors.
func checkRemote() error {
	errs := Go("foo", func() error { return nil }, nil)
	return <-errs // heldout:site
}
