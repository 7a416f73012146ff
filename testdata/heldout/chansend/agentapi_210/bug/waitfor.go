// Package bug is a held-out kernel (issue 14): a clock-aware After helper
// starts a goroutine that forwards the timer's tick on an unbuffered
// channel; the stability check selects on that channel and on ctx.Done(),
// and when the context wins, the helper's goroutine blocks for ever on
// its send once the timer fires, one goroutine per cancelled check.
//
// Upstream: coder/agentapi#210 ("bug: potential goroutine leak in `util.WaitFor`")
// Round: 8
//
// Bug: the screen-stability phase of WaitFor does select { case
// <-ctx.Done(): ...; case <-util.After(c.cfg.Clock, time.Second): ... }.
// The issue: "util.After spawns a goroutine and uses an unbuffered
// channel; if the ctx.Done() branch wins that select, the goroutine can
// block forever trying to send after the timer fires". The clock
// interface and the condition loop are our reduction of agentapi's
// quartz clock and its WaitFor.
//
// Fix (as the issue proposed): the check uses an inline clock timer,
// stopped when the context wins, instead of the helper's goroutine;
// our fixed version drops the helper, which nothing else calls here.
package bug

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

// After returns a channel that receives the time after d on clock.
func After(clock Clock, d time.Duration) <-chan time.Time {
	ch := make(chan time.Time)
	go func() {
		timer := clock.NewTimer(d)
		t := <-timer.C()
		ch <- t // heldout:site
	}()
	return ch
}

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
		select {
		case <-ctx.Done():
			return ctx.Err() // heldout:site
		case <-After(opts.Clock, time.Second):
		}
	}
}
