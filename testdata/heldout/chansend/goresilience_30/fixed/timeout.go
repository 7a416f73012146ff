// Package fixed is the fixed version of chansend/goresilience_30: errc
// has room for the job's result after a timeout.
package fixed

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

			errc := make(chan error, 1)
			go func() {
				defer func() {
					if v := recover(); v != nil {
						errc <- fmt.Errorf("panic while executing: %v", v)
					}
				}()
				errc <- next.Run(ctx, f)
			}()

			select {
			case <-ctx.Done():
				return ErrTimeout
			case err := <-errc:
				return err
			}
		})
	}
}
