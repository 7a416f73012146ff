// Package bug is a held-out kernel (issue 14): a timeout runner that
// stops reading the job's error channel when the context times out.
//
// Upstream: slok/goresilience#30 ("Preventing goroutine leaks")
// Round: 3
//
// Bug: the timeout Runner runs the wrapped func in a goroutine that
// reports on an unbuffered errc and then selects on errc and the timeout
// context. When the job runs past the timeout, Run returns ErrTimeout and
// nothing ever empties errc, so the job's goroutine blocks on its send
// forever (also on the send in its panic-recovery path). The runner chain
// (Runner, RunnerFunc, the middleware constructor) follows the library's
// shape in our own reduction.
//
// Fix: errc has a buffer of one.
package bug

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTimeout is returned when a job exceeds its timeout.
var ErrTimeout = errors.New("timeout while executing")

// Func is the unit of work a Runner executes.
type Func func(ctx context.Context) error

// Runner executes a Func.
type Runner interface {
	Run(ctx context.Context, f Func) error
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, f Func) error

// Run satisfies Runner.
func (r RunnerFunc) Run(ctx context.Context, f Func) error { return r(ctx, f) }

type commandRunner struct{}

func (commandRunner) Run(ctx context.Context, f Func) error { return f(ctx) }

// Config is the timeout runner's configuration.
type Config struct {
	Timeout        time.Duration
	InvalidOnPanic bool
}

// NewMiddleware wraps the next runner with a timeout.
func NewMiddleware(cfg Config) func(Runner) Runner {
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Second
	}
	return func(next Runner) Runner {
		if next == nil {
			next = commandRunner{}
		}
		return RunnerFunc(func(ctx context.Context, f Func) error {
			ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
			defer cancel()

			errc := make(chan error)
			go func() {
				defer func() {
					if v := recover(); v != nil {
						errc <- fmt.Errorf("panic while executing: %v", v) // heldout:site
					}
				}()
				errc <- next.Run(ctx, f) // heldout:site
			}()

			select {
			case <-ctx.Done():
				return ErrTimeout // heldout:site
			case err := <-errc:
				return err
			}
		})
	}
}
