// Package fixed is the fixed version of chanrecv/vitess_7462: Wait returns
// at once when the group has no goroutine to wait for.
package fixed

import (
	"context"
	"fmt"
	"sync"
)

// ErrorGroup waits for N goroutines with enough successes, cancelling the
// rest.
type ErrorGroup struct {
	NumGoroutines        int
	NumRequiredSuccesses int
	NumAllowedErrors     int
}

// AllErrorRecorder records every error.
type AllErrorRecorder struct {
	mu     sync.Mutex
	Errors []error
}

// RecordError records err if it is not nil.
func (aer *AllErrorRecorder) RecordError(err error) {
	if err == nil {
		return
	}
	aer.mu.Lock()
	defer aer.mu.Unlock()
	aer.Errors = append(aer.Errors, err)
}

// HasErrors reports whether any error was recorded.
func (aer *AllErrorRecorder) HasErrors() bool {
	aer.mu.Lock()
	defer aer.mu.Unlock()
	return len(aer.Errors) > 0
}

// Wait consumes the results of eg.NumGoroutines goroutines sending on
// errors and cancels the outstanding ones once the group's condition is
// met. It does not close the channel.
func (eg ErrorGroup) Wait(cancel context.CancelFunc, errors chan error) *AllErrorRecorder {
	errCounter := 0
	successCounter := 0
	responseCounter := 0
	rec := &AllErrorRecorder{}

	if eg.NumGoroutines < 1 {
		return rec
	}

	for err := range errors {
		responseCounter++

		switch err {
		case nil:
			successCounter++
		default:
			errCounter++
			rec.RecordError(err)
		}

		// Even though we cancel in the next conditional, we need to keep
		// consuming off the channel, or those goroutines will get stuck
		// forever.
		if responseCounter == eg.NumGoroutines {
			break
		}

		if errCounter > eg.NumAllowedErrors || successCounter >= eg.NumRequiredSuccesses {
			cancel()
		}
	}

	return rec
}

// TabletManagerClient stops replication on a tablet.
type TabletManagerClient interface {
	StopReplicationAndGetStatus(ctx context.Context, alias string) (position string, err error)
}

// stopReplicationAndBuildStatusMap stops replication on every tablet that
// is not ignored and returns their positions.
func stopReplicationAndBuildStatusMap(ctx context.Context, tmc TabletManagerClient, tablets []string, ignored map[string]bool) (map[string]string, error) {
	var (
		m        sync.Mutex
		statuses = map[string]string{}
	)
	groupCtx, groupCancel := context.WithCancel(ctx)
	defer groupCancel()

	errCh := make(chan error)
	started := 0
	for _, alias := range tablets {
		if ignored[alias] {
			continue
		}
		started++
		go func(alias string) {
			pos, err := tmc.StopReplicationAndGetStatus(groupCtx, alias)
			if err == nil {
				m.Lock()
				statuses[alias] = pos
				m.Unlock()
			}
			errCh <- err
		}(alias)
	}

	errgroup := ErrorGroup{
		NumGoroutines:        started,
		NumRequiredSuccesses: started - 1,
		NumAllowedErrors:     1,
	}
	rec := errgroup.Wait(groupCancel, errCh)
	if len(rec.Errors) > 1 {
		return nil, fmt.Errorf("could not stop replication on enough tablets: %v", rec.Errors)
	}
	m.Lock()
	defer m.Unlock()
	return statuses, nil
}
