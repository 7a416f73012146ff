// Package bug is a held-out kernel (issue 14): the HA controller resets its
// retry timer with a helper that drains the timer's channel when Stop
// reports the timer already expired, and since Go 1.23 that receive blocks
// for ever, so the controller loop hangs.
//
// Upstream: Icinga/icingadb#990 ("Improper use of `time.Timer` causes Icinga DB to hang indefinitely")
// Round: 19
//
// Bug: the HA controller uses a time.Timer as the deadline for realizing
// the instance row; after each successful realization it calls
// retry.ResetTimeout(timer, d), which does `if !t.Stop() { <-t.C }` and
// then t.Reset(d). The issue: "since Go 1.23 the time.Timer out channel is
// unbuffered, meaning that it will not send a stale time value if Stop()
// is called before the timer expires ... any attempt to do so after Stop()
// is guaranteed to block indefinitely." When the timer has expired while
// the controller was busy and the select took the heartbeat instead,
// Stop returns false and the drain never returns: the controller loop
// blocks, and the heartbeat sender behind it. Reduced from pkg/retry
// (ResetTimeout) and pkg/icingadb/ha.go; the database, the environment
// and the logging are callbacks or left out. This module is go 1.26, so
// the Go 1.23 timer semantics apply.
//
// Fix: the fix is our reading of the issue: ResetTimeout no longer drains
// the channel and only calls t.Reset(d), which as of Go 1.23 discards any
// stale value.
package bug

import (
	"context"
	"errors"
	"time"
)

// ResetTimeout changes the possibly expired timer t to expire after
// duration d, draining it if it has already expired.
func ResetTimeout(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		<-t.C // heldout:site
	}
	t.Reset(d)
}

// Heartbeat is one Icinga heartbeat.
type Heartbeat struct {
	Time        time.Time
	Environment string
}

// HA decides which Icinga DB instance is responsible.
type HA struct {
	ctx       context.Context
	cancelCtx context.CancelFunc
	heartbeat chan Heartbeat
	realize   func(ctx context.Context, beat Heartbeat) error
	timeout   time.Duration
	errs      chan error
	done      chan struct{}
}

// NewHA starts the controller.
func NewHA(ctx context.Context, timeout time.Duration, realize func(context.Context, Heartbeat) error) *HA {
	ctx, cancel := context.WithCancel(ctx)
	h := &HA{
		ctx:       ctx,
		cancelCtx: cancel,
		heartbeat: make(chan Heartbeat),
		realize:   realize,
		timeout:   timeout,
		errs:      make(chan error, 1),
		done:      make(chan struct{}),
	}
	go h.controller()
	return h
}

// Beat hands a heartbeat to the controller.
func (h *HA) Beat(beat Heartbeat) error {
	select {
	case h.heartbeat <- beat:
		return nil
	case <-h.ctx.Done():
		return h.ctx.Err()
	}
}

// Close stops the controller and waits for it.
func (h *HA) Close() {
	h.cancelCtx()
	<-h.done
}

func (h *HA) abort(err error) {
	select {
	case h.errs <- err:
	default:
	}
	h.cancelCtx()
}

func (h *HA) controller() {
	defer close(h.done)

	timeout := time.NewTimer(h.timeout)
	defer timeout.Stop()

	for {
		select {
		case beat := <-h.heartbeat:
			if err := h.realize(h.ctx, beat); err != nil {
				h.abort(err)
				return
			}
			// Reset the retry timeout so that the next iterations have
			// the full amount of time available again.
			ResetTimeout(timeout, h.timeout) // heldout:site
		case <-timeout.C:
			h.abort(errors.New("max retries exceeded"))
			return
		case <-h.ctx.Done():
			return
		}
	}
}
