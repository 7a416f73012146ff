package bug

import (
	"context"
	"sync"
)

// StepVector is the series values at one evaluation step.
type StepVector struct {
	T       int64
	Samples []float64
}

// VectorOperator is one node of the physical plan.
type VectorOperator interface {
	Next(ctx context.Context) ([]StepVector, error)
}

type maybeStepVector struct {
	stepVector []StepVector
	err        error
}

// concurrencyOperator runs its child in a goroutine, buffering results.
type concurrencyOperator struct {
	once   sync.Once
	next   VectorOperator
	buffer chan maybeStepVector
}

func newConcurrent(next VectorOperator, bufferSize int) VectorOperator {
	return &concurrencyOperator{next: next, buffer: make(chan maybeStepVector, bufferSize)}
}

func (c *concurrencyOperator) Next(ctx context.Context) ([]StepVector, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	default:
	}

	c.once.Do(func() {
		go c.pull(ctx)
		go c.drainBufferOnCancel(ctx)
	})

	r, ok := <-c.buffer
	if !ok {
		return nil, nil
	}
	return r.stepVector, r.err
}

func (c *concurrencyOperator) pull(ctx context.Context) {
	defer close(c.buffer)
	for {
		r, err := c.next.Next(ctx)
		if err != nil {
			select {
			case c.buffer <- maybeStepVector{err: err}:
			case <-ctx.Done():
			}
			return
		}
		if r == nil {
			return
		}
		select { // heldout:site
		case c.buffer <- maybeStepVector{stepVector: r}:
		case <-ctx.Done():
			return
		}
	}
}

// drainBufferOnCancel empties the buffer once the query is cancelled, so
// that pull is never left blocked on it.
func (c *concurrencyOperator) drainBufferOnCancel(ctx context.Context) {
	<-ctx.Done() // heldout:site
	for range c.buffer {
	}
}
