// Package bug is a held-out kernel (issue 14): vitess's ErrorGroup.Wait
// ranges over the channel its N worker goroutines report on and stops
// after the N-th result; the channel is never closed, so when the caller
// starts no goroutine at all (N == 0) Wait blocks for ever in its range.
//
// Upstream: vitessio/vitess#7462 ("[concurrency] ErrorGroup blocks forever when Wait is called with NumGoroutines = 0")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: go/vt/concurrency/error_group.go's Wait(cancel, errors) loops `for
// err := range errors`, counting responses, and breaks when
// responseCounter == eg.NumGoroutines; it cancels the rest once enough
// successes or errors are in, and keeps draining so no worker is left
// blocked on its send. The callers never close the channel. The issue:
// "It goes right to the range loop over the channel, which will never hit
// the break or cancel conditions, because it will never get a result on
// the channel." The caller here, stopping replication on every tablet of
// a shard that is not ignored, is our reduction of the reparent code that
// used ErrorGroup; with every tablet ignored it starts no goroutine.
//
// Fix (vitessio/vitess#7463): Wait returns the empty recorder right away
// when NumGoroutines < 1.
package bug

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

	for err := range errors { // heldout:site
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
	rec := errgroup.Wait(groupCancel, errCh) // heldout:site
	if len(rec.Errors) > 1 {
		return nil, fmt.Errorf("could not stop replication on enough tablets: %v", rec.Errors)
	}
	m.Lock()
	defer m.Unlock()
	return statuses, nil
}
