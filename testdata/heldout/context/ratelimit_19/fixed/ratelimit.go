// Package fixed is the fixed version of context/ratelimit_19: Stop calls
// the stored cancel func, ending the run goroutine.
package fixed

import (
	"context"
	"time"
)

// Limiter hands out maxCount tokens per duration.
type Limiter struct {
	maxCount   uint
	count      uint
	ticker     *time.Ticker
	tokens     chan struct{}
	ctx        context.Context
	cancelFunc context.CancelFunc
}

func (limiter *Limiter) run(ctx context.Context) {
	for {
		if limiter.count == 0 {
			select {
			case <-ctx.Done():
				limiter.ticker.Stop()
				return
			case <-limiter.ticker.C:
				limiter.count = limiter.maxCount
			}
		}
		select {
		case <-ctx.Done():
			limiter.ticker.Stop()
			return
		case limiter.tokens <- struct{}{}:
			limiter.count--
		}
	}
}

// Take waits for a token.
func (limiter *Limiter) Take() {
	<-limiter.tokens
}

// Stop ends the limiter's goroutine.
func (limiter *Limiter) Stop() {
	limiter.cancelFunc()
}

// New returns a limiter of max tokens per duration; call Stop when done.
func New(ctx context.Context, max uint, duration time.Duration) *Limiter {
	internalctx, cancel := context.WithCancel(ctx)
	limiter := &Limiter{
		maxCount:   max,
		count:      max,
		ticker:     time.NewTicker(duration),
		tokens:     make(chan struct{}),
		ctx:        internalctx,
		cancelFunc: cancel,
	}
	go limiter.run(internalctx)
	return limiter
}
