// Package fixed is the fixed version of chansend/otelcontrib_1505: the
// result channel has room for the late send.
package fixed

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
	done := make(chan error, 1)
	go func() {
		done <- do()
	}()

	select {
	case <-time.After(timeout):
		return false, nil
	case err := <-done:
		return true, err
	}
}
