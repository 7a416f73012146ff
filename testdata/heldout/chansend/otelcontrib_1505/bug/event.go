// Package bug is a held-out kernel (issue 14): a timeout wrapper whose
// worker goroutine sends its result on an unbuffered channel that nobody
// reads once the timeout has fired.
//
// Upstream: open-telemetry/opentelemetry-collector-contrib#1505 ("Make buffered channel to avoid goroutines leak in groupbytraceprocessor")
// Round: 3
//
// Bug: the groupbytrace processor's event machine runs each event handler
// through doWithTimeout, which starts the handler in a goroutine and
// selects on the handler's result and a timer. When the timer wins,
// doWithTimeout returns and the goroutine blocks forever on "done <-
// do()": one leaked goroutine per slow event (#1504). The event machine
// around doWithTimeout is reduced to what calls it.
//
// Fix: done has a buffer of one, so the late send always completes.
package bug

import (
	"errors"
	"time"
)

var errNoTraceID = errors.New("trace ID is required")

type event struct {
	typ     int
	payload any
}

type eventMachine struct {
	events          chan event
	onTraceReceived func(payload any) error
	onTraceExpired  func(payload any) error
	timeout         time.Duration
	logf            func(format string, args ...any)
}

func (em *eventMachine) handleEvent(e event) {
	switch e.typ {
	case 0:
		em.handleEventWithObservability("onTraceReceived", func() error {
			return em.onTraceReceived(e.payload)
		})
	case 1:
		em.handleEventWithObservability("onTraceExpired", func() error {
			return em.onTraceExpired(e.payload)
		})
	}
}

func (em *eventMachine) handleEventWithObservability(name string, do func() error) {
	succeeded, err := doWithTimeout(em.timeout, do)
	if err != nil {
		em.logf("failed to process event %s: %v", name, err)
	}
	if !succeeded {
		em.logf("timed out processing event %s", name)
	}
}

// doWithTimeout wraps a function in a timeout, returning whether it
// succeeded before timing out. An error returned within the timeout
// counts as success and is passed back to the caller.
func doWithTimeout(timeout time.Duration, do func() error) (bool, error) {
	done := make(chan error)
	go func() {
		done <- do() // heldout:site
	}()

	select {
	case <-time.After(timeout):
		return false, nil // heldout:site
	case err := <-done:
		return true, err
	}
}
