// Package bug is a held-out kernel (issue 14): a sharded query runner whose
// producer goroutine reports the job pool's error with an unconditional
// send on an unbuffered channel, after the reader has already returned.
//
// Upstream: grafana/loki#21062 ("fix: prevent goroutine leak in downstreamer on context cancellation", fixes grafana/loki#21042)
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: For runs the shard queries through ForEachJob in a goroutine whose
// jobs send each response in a select that watches ctx, and then, if
// ForEachJob failed, sends the error with a plain "ch <- resp". The
// reading loop returns as soon as the context is cancelled or a response
// carries an error (the same error ForEachJob returns afterwards), and
// nobody reads ch again: the final send blocks forever, one goroutine per
// cancelled or failed sharded query. The PR shows the send and the fix;
// the query and accumulator types and ForEachJob (dskit's
// concurrency.ForEachJob) are our reduction.
//
// Fix: the final error send selects on ctx.Done() as well.
package bug

import "context"

// DownstreamQuery is one shard of a query.
type DownstreamQuery struct {
	Shard int
	Query string
}

// Result is a shard's result.
type Result struct {
	Lines []string
}

// Resp is a shard's result or error, indexed by shard.
type Resp struct {
	I   int
	Res Result
	Err error
}

// Accumulator merges shard results.
type Accumulator interface {
	Accumulate(ctx context.Context, res Result, idx int) error
	Result() []Result
}

type instance struct {
	parallelism int
}

// For runs fn on every query and accumulates the results.
func (in instance) For(ctx context.Context, queries []DownstreamQuery, acc Accumulator, fn func(DownstreamQuery) (Result, error)) ([]Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	ch := make(chan Resp)

	go func() {
		err := ForEachJob(ctx, len(queries), in.parallelism, func(ctx context.Context, i int) error {
			res, err := fn(queries[i])
			response := Resp{I: i, Res: res, Err: err}
			select {
			case <-ctx.Done():
			case ch <- response:
			}
			return err
		})
		if err != nil {
			ch <- Resp{I: -1, Err: err} // heldout:site
		}
		close(ch)
	}()

	for {
		select {
		case <-ctx.Done():
			return acc.Result(), ctx.Err() // heldout:site
		case resp, ok := <-ch:
			if !ok {
				return acc.Result(), nil
			}
			if resp.Err != nil {
				return nil, resp.Err // heldout:site
			}
			if err := acc.Accumulate(ctx, resp.Res, resp.I); err != nil {
				return nil, err
			}
		}
	}
}
