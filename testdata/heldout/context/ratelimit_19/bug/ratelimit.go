// Package bug is a held-out kernel (issue 14): a cancel function stored in
// a field and never called, while a goroutine waits on its context.
//
// Upstream: projectdiscovery/ratelimit#19 ("context.CancelFunc go routine leaks")
// Seen: 316380b (analyzer/chanblock's testdata real/real.go reduced this bug before the held-out set was made: never held out)
//
// Bug: New derives an internal context, stores its cancel func, and starts
// the run goroutine, which selects on that context's Done to stop; nothing
// ever calls the cancel func, so every limiter leaks its goroutine
// ("goroutine 92 [select] ... (*Limiter).run").
//
// Fix: Limiter gets Stop, which calls the stored cancel func.
package bug

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
			<-limiter.ticker.C
			limiter.count = limiter.maxCount
		}
		select {
		case <-ctx.Done(): // heldout:site
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

// New returns a limiter of max tokens per duration.
func New(ctx context.Context, max uint, duration time.Duration) *Limiter {
	internalctx, cancel := context.WithCancel(context.TODO()) // heldout:site
	limiter := &Limiter{
		maxCount:   max,
		count:      max,
		ticker:     time.NewTicker(duration),
		tokens:     make(chan struct{}),
		ctx:        internalctx,
		cancelFunc: cancel, // heldout:site
	}
	go limiter.run(internalctx)
	return limiter
}
