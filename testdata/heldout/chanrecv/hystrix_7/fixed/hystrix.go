// Package fixed is the fixed version of chanrecv/hystrix_7: the error
// channel is closed once the command's outcome is known.
package fixed

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

// report delivers the outcome (nil for success) once, then closes the
// channel.
func (c *command) report(err error) {
	c.Lock()
	defer c.Unlock()
	if c.reported {
		return
	}
	c.reported = true
	if err != nil && c.fallback != nil {
		err = c.fallback(err)
	}
	if err != nil {
		c.errChan <- err
	}
	close(c.errChan)
}

// Go runs run in the background, with fallback on failure, and returns a
// channel for the errors, closed when the command is done.
func Go(name string, run runFunc, fallback fallbackFunc) chan error {
	cmd := &command{
		run:      run,
		fallback: fallback,
		start:    time.Now(),
		errChan:  make(chan error, 1),
		finished: make(chan bool, 1),
	}
	go func() {
		err := run()
		cmd.report(err)
		cmd.finished <- true
	}()
	go func() {
		timer := time.NewTimer(time.Second)
		defer timer.Stop()
		select {
		case <-cmd.finished:
		case <-timer.C:
			cmd.report(ErrTimeout)
		}
	}()
	return cmd.errChan
}

// checkRemote is the user's code: it only checks for errors.
func checkRemote() error {
	errs := Go("foo", func() error { return nil }, nil)
	return <-errs
}
