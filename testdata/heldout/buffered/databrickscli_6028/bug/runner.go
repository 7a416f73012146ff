// Package bug is a held-out kernel (issue 14): the Databricks CLI's test
// runner polls a condition in goroutines that report on a channel with
// room for one result; when Eventually gives up on its timer (or on the
// command failing) with two checks in flight, the second result has
// nowhere to go, its goroutine blocks for ever, and the deferred
// wg.Wait() that was meant to collect the checks never returns.
//
// Upstream: databricks/cli#6028 ("Fix deadlock in testcli Runner.Eventually on timeout")
// Round: 13
//
// Bug: Eventually makes ch with a buffer of one, defers wg.Wait() and
// starts a first condition check in a goroutine counted by wg; each tick
// (while no check is being awaited) starts another. Its loop selects on
// the background command's errch, on the timer, on the ticker and on ch;
// the first two fail the test and return. With the first check still
// running when a tick starts the second, and the timer firing before
// either reports, one result fills ch and the other's send blocks, so
// the goroutine never calls wg.Done and the deferred wg.Wait() hangs (a
// 30s timeout became a 2h test-binary panic). testing.T and require are
// reduced to a TestingT interface and the CLI command to a function; the
// stdout and stderr plumbing of Run is left out.
//
// Fix (databricks/cli#6028): Eventually closes a done channel when it
// returns (before the deferred wg.Wait runs) and each check sends with a
// select on ch and done, so checks still in flight return.
package bug

import (
	"context"
	"sync"
	"time"
)

// TestingT is the part of testing.T the runner uses.
type TestingT interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	FailNow()
	Cleanup(func())
}

// Runner runs a CLI command for a test.
type Runner struct {
	TestingT

	ctx   context.Context
	args  []string
	exec  func(ctx context.Context, args []string) error
	errch <-chan error
}

// NewRunner returns a runner for the command exec with args.
func NewRunner(t TestingT, ctx context.Context, exec func(context.Context, []string) error, args ...string) *Runner {
	return &Runner{TestingT: t, ctx: ctx, exec: exec, args: args}
}

// RunBackground runs the command in the background; the test's cleanup
// cancels it and waits for it.
func (r *Runner) RunBackground() {
	ctx, cancel := context.WithCancel(r.ctx)
	errch := make(chan error)
	go func() {
		err := r.exec(ctx, r.args)
		if err != nil {
			r.Logf("error: %s", err)
		}
		errch <- err
		close(errch)
	}()
	r.Cleanup(func() {
		cancel()
		<-errch
	})
	r.errch = errch
}

func (r *Runner) fail(msg string, args ...any) {
	r.Errorf(msg, args...)
	r.FailNow()
}

// Eventually is like require.Eventually but fails if the background
// command has failed.
func (r *Runner) Eventually(condition func() bool, waitFor, tick time.Duration, msg string) {
	r.Helper()
	ch := make(chan bool, 1)

	timer := time.NewTimer(waitFor)
	defer timer.Stop()

	ticker := time.NewTicker(tick)
	defer ticker.Stop()

	// Make sure every goroutine started here has finished before returning.
	var wg sync.WaitGroup
	defer wg.Wait() // heldout:site

	wg.Add(1)
	go func() {
		defer wg.Done()
		ch <- condition() // heldout:site
	}()

	for tick := ticker.C; ; {
		select {
		case err := <-r.errch:
			r.fail("Command failed: %v", err)
			return // heldout:site
		case <-timer.C:
			r.fail("Condition never satisfied: %s", msg)
			return // heldout:site
		case <-tick:
			tick = nil
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch <- condition() // heldout:site
			}()
		case v := <-ch:
			if v {
				return
			}
			tick = ticker.C
		}
	}
}
