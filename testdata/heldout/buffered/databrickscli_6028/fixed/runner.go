// Package fixed is the fixed version of buffered/databrickscli_6028:
// Eventually closes done before its deferred wg.Wait runs, and every
// check sends with a select on done, so no check stays blocked on the
// one-slot channel.
package fixed

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
	defer wg.Wait()

	// Unblock checks still in flight when we return; deferred after
	// wg.Wait so that it runs first.
	done := make(chan struct{})
	defer close(done)

	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case ch <- condition():
		case <-done:
		}
	}()

	for tick := ticker.C; ; {
		select {
		case err := <-r.errch:
			r.fail("Command failed: %v", err)
			return
		case <-timer.C:
			r.fail("Condition never satisfied: %s", msg)
			return
		case <-tick:
			tick = nil
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case ch <- condition():
				case <-done:
				}
			}()
		case v := <-ch:
			if v {
				return
			}
			tick = ticker.C
		}
	}
}
