// Package bug is a held-out kernel (issue 14): a query whose Exec derives
// a cancellable context for the plan's operators but only cancels it when
// the caller calls Cancel, so each finished query leaves the operators'
// cancellation watchers waiting forever.
//
// Upstream: thanos-io/promql-engine#94 ("engine: fix goroutine leak", fixes thanos-io/promql-engine#93)
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: Exec creates ctx, cancel := context.WithCancel(ctx), stores cancel
// in the query for Cancel, and runs the plan with ctx. Every concurrency
// operator in the plan starts drainBufferOnCancel, which waits on
// <-ctx.Done() before draining its buffer. When the query finishes
// normally nobody calls Cancel, the context is never done, and the
// goroutine waits forever (#93 saw 47k of them); and when Exec returns
// early on an error, a pull goroutine with a full buffer waits forever in
// its send select as well. The operators and the query are our reduction
// of concurrent.go and engine.go.
//
// Fix: Exec always cancels its context when it returns (defer cancel()).
package bug

import "context"

// Result is a query's result.
type Result struct {
	Steps []StepVector
	Err   error
}

type compatibilityQuery struct {
	plan   VectorOperator
	cancel context.CancelFunc
}

// NewRangeQuery builds a query over the plan, with a concurrency operator
// in front of each of its inputs.
func NewRangeQuery(inputs []VectorOperator) *compatibilityQuery {
	ops := make([]VectorOperator, 0, len(inputs))
	for _, in := range inputs {
		ops = append(ops, newConcurrent(in, 2))
	}
	return &compatibilityQuery{plan: &coalesce{inputs: ops}}
}

// Exec runs the query to completion.
func (q *compatibilityQuery) Exec(ctx context.Context) *Result {
	ctx, cancel := context.WithCancel(ctx)
	q.cancel = cancel // heldout:site

	var res Result
	for {
		r, err := q.plan.Next(ctx)
		if err != nil {
			res.Err = err
			return &res
		}
		if r == nil {
			return &res
		}
		res.Steps = append(res.Steps, r...)
	}
}

// Cancel stops a running query.
func (q *compatibilityQuery) Cancel() {
	if q.cancel != nil {
		q.cancel()
	}
}

// coalesce concatenates the steps of its inputs.
type coalesce struct {
	inputs []VectorOperator
}

func (c *coalesce) Next(ctx context.Context) ([]StepVector, error) {
	var out []StepVector
	for _, in := range c.inputs {
		r, err := in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	if out == nil {
		return nil, nil
	}
	return out, nil
}
