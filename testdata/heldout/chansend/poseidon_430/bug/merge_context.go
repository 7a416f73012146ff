// Package bug is a held-out kernel (issue 14): a merged context whose Done
// channel is fed by a goroutine that first sends a value on it and only
// then closes it, so the goroutine blocks until someone receives.
//
// Upstream: openHPI/poseidon#430 ("Fix Memory Leak caused by the merge_context.")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: Done starts a goroutine that waits until any of the merged
// contexts is done, then sends an empty struct on the unbuffered channel
// it returned and closes it. A caller that selects on Done together with
// something else and leaves through the other case, or that never
// receives from Done at all, leaves the goroutine blocked on the send
// forever, and with it everything the contexts reference. The PR
// describes the send and its removal; how the merged contexts are waited
// for (reflect.Select over their Done channels) is our reduction.
//
// Fix: the send was removed; closing the channel is enough to wake every
// receiver.
package bug

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
		ch <- struct{}{} // heldout:site
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
		return code, nil // heldout:site
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
