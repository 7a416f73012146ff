// Package fixed is the fixed version of chansend/poseidon_430: Done's
// goroutine only closes the channel.
package fixed

import (
	"context"
	"reflect"
	"time"
)

type mergeContext struct {
	contexts []context.Context
}

// NewMergeContext returns a context that is done as soon as any of
// contexts is done and that looks values up in all of them.
func NewMergeContext(contexts []context.Context) context.Context {
	return &mergeContext{contexts: contexts}
}

// Deadline returns the earliest deadline of the merged contexts.
func (m *mergeContext) Deadline() (deadline time.Time, ok bool) {
	for _, ctx := range m.contexts {
		if d, has := ctx.Deadline(); has && (!ok || d.Before(deadline)) {
			deadline, ok = d, true
		}
	}
	return deadline, ok
}

// Done is closed when any of the merged contexts is done.
func (m *mergeContext) Done() <-chan struct{} {
	ch := make(chan struct{})
	cases := make([]reflect.SelectCase, 0, len(m.contexts))
	for _, ctx := range m.contexts {
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	}
	go func() {
		reflect.Select(cases)
		close(ch)
	}()
	return ch
}

// Err returns the error of the first merged context that is done.
func (m *mergeContext) Err() error {
	for _, ctx := range m.contexts {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Value returns the first value found in the merged contexts.
func (m *mergeContext) Value(key any) any {
	for _, ctx := range m.contexts {
		if v := ctx.Value(key); v != nil {
			return v
		}
	}
	return nil
}

// waitForExecution is a caller that stops listening on Done once the
// execution finishes first.
func waitForExecution(ctx context.Context, exit <-chan int) (int, error) {
	select {
	case code := <-exit:
		return code, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
