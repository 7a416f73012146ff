// Package fixed is the fixed version of context/promqlengine_94: Exec
// cancels its context when it returns.
package fixed

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
	defer cancel()
	q.cancel = cancel

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
