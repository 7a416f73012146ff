// Package bug is a held-out kernel (issue 14): a circuit breaker whose
// Call runs the protected function in a goroutine that reports on an
// unbuffered channel; when the call times out the breaker stops
// listening, and the goroutine blocks on its send for ever.
//
// Upstream: rubyist/circuitbreaker#35 ("Fix goroutine leak when using timeouts.")
// Round: 7
//
// Bug: CallContext, with a non-zero timeout, makes c without a buffer,
// starts go func() { c <- circuit(); close(c) }() and selects on c and
// on cb.Clock.After(timeout). When the clock wins it records
// ErrBreakerTimeout as a failure and returns; as the PR says, "there is
// no reader on the result channel and the goroutine blocks forever",
// once per timed-out call. The failure counting is reduced to two
// counters and a threshold.
//
// Fix: c gets a buffer of one, so the late result is dropped into it.
package bug

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
		c := make(chan error)
		go func() {
			c <- circuit() // heldout:site
			close(c)
		}()

		select {
		case e := <-c:
			err = e
		case <-cb.Clock.After(timeout): // heldout:site
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
