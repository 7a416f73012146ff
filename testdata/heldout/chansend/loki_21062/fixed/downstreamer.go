// Package fixed is the fixed version of chansend/loki_21062: the final error
// send also watches the context.
package fixed

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
			select {
			case <-ctx.Done():
			case ch <- Resp{I: -1, Err: err}:
			}
		}
		close(ch)
	}()

	for {
		select {
		case <-ctx.Done():
			return acc.Result(), ctx.Err()
		case resp, ok := <-ch:
			if !ok {
				return acc.Result(), nil
			}
			if resp.Err != nil {
				return nil, resp.Err
			}
			if err := acc.Accumulate(ctx, resp.Res, resp.I); err != nil {
				return nil, err
			}
		}
	}
}
