// Package fixed is the fixed version of chansend/agentapi_210: the check
// waits on an inline clock timer and stops it when the context wins.
package fixed

import (
	"context"
	"time"
)

// Timer is a clock's timer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// Clock makes timers; tests substitute a mock.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time                 { return time.Now() }
func (RealClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

// WaitForOpts configures WaitFor.
type WaitForOpts struct {
	Clock   Clock
	Timeout time.Duration
}

// WaitFor calls condition once a second until it holds, ctx is done or
// the timeout passes.
func WaitFor(ctx context.Context, opts WaitForOpts, condition func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	for {
		ok, err := condition()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		timer := opts.Clock.NewTimer(time.Second)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C():
		}
	}
}
