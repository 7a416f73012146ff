// Package fixed is the fixed version of chanrecv/icingadb_990: ResetTimeout
// only resets the timer, which since Go 1.23 discards a stale value (our
// reading of the fix).
//
// Upstream: Icinga/icingadb#990 ("Improper use of `time.Timer` causes Icinga DB to hang indefinitely")
// Round: 19
package fixed

import (
	"context"
	"errors"
	"time"
)

// ResetTimeout changes the possibly expired timer t to expire after
// duration d; as of Go 1.23 Reset discards a value not yet received.
func ResetTimeout(t *time.Timer, d time.Duration) {
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
			ResetTimeout(timeout, h.timeout)
		case <-timeout.C:
			h.abort(errors.New("max retries exceeded"))
			return
		case <-h.ctx.Done():
			return
		}
	}
}
