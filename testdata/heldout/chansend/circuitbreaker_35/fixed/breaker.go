// Package fixed is the fixed version of chansend/circuitbreaker_35: the
// result channel has room for the late result.
package fixed

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// ErrBreakerOpen is returned while the breaker is tripped.
var ErrBreakerOpen = errors.New("breaker open")

// ErrBreakerTimeout is returned when the protected call takes too long.
var ErrBreakerTimeout = errors.New("breaker time out")

// Clock is the breaker's time source (a fake in tests).
type Clock interface {
	After(d time.Duration) <-chan time.Time
	Now() time.Time
}

type realClock struct{}

func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
func (realClock) Now() time.Time                         { return time.Now() }

// Breaker protects calls to a flaky dependency.
type Breaker struct {
	Clock     Clock
	failures  int64
	successes int64
	tripped   int32
	threshold int64
}

// NewThresholdBreaker trips after threshold consecutive failures.
func NewThresholdBreaker(threshold int64) *Breaker {
	return &Breaker{Clock: realClock{}, threshold: threshold}
}

// Ready says whether a call may go through.
func (cb *Breaker) Ready() bool {
	return atomic.LoadInt32(&cb.tripped) == 0
}

// Fail records a failure and trips the breaker at the threshold.
func (cb *Breaker) Fail(err error) {
	if atomic.AddInt64(&cb.failures, 1) >= cb.threshold {
		atomic.StoreInt32(&cb.tripped, 1)
	}
}

// Success records a success.
func (cb *Breaker) Success() {
	atomic.StoreInt64(&cb.failures, 0)
	atomic.AddInt64(&cb.successes, 1)
}

// Call runs circuit under the breaker, failing it after timeout.
func (cb *Breaker) Call(circuit func() error, timeout time.Duration) error {
	return cb.CallContext(context.Background(), circuit, timeout)
}

// CallContext is Call, but a cancelled ctx does not count as a failure.
func (cb *Breaker) CallContext(ctx context.Context, circuit func() error, timeout time.Duration) error {
	var err error

	if !cb.Ready() {
		return ErrBreakerOpen
	}

	if timeout == 0 {
		err = circuit()
	} else {
		c := make(chan error, 1)
		go func() {
			c <- circuit()
			close(c)
		}()

		select {
		case e := <-c:
			err = e
		case <-cb.Clock.After(timeout):
			err = ErrBreakerTimeout
		}
	}

	if err != nil {
		if ctx.Err() != context.Canceled {
			cb.Fail(err)
		}
		return err
	}

	cb.Success()
	return nil
}
