// Package bug is a held-out kernel (issue 14): a detector goroutine whose
// timer cases send on an unbuffered output channel that nobody reads once
// the subscription is terminated.
//
// Upstream: ethersphere/bee#1456 ("flipflop: fix goroutine leak on subscription termination")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: the falling-edge detector (pkg/flipflop/falling_edge.go) loops over
// quit, its input buffer and two timers; the timer cases send on d.out
// unconditionally. When the pull subscription ends, its reader stops
// receiving from out and calls clean, which closes quit, but a timer
// already fired makes the loop block in "d.out <- struct{}{}" forever
// (spotted on a live node, per the PR). The subscription loop is our
// reduction.
//
// Fix: the timer cases send in a select with <-d.quit (the PR's first
// version buffered out and sent without blocking; the merged one selects
// on quit).
package bug

import (
	"context"
	"time"
)

type detector struct {
	t         time.Duration
	worstCase time.Duration

	buf  chan struct{}
	out  chan struct{}
	quit chan struct{}
}

// NewFallingEdge returns a new falling edge detector.
// bufferTime is the time to buffer, worstCase is the time to wait before
// writing to the output anyway.
func NewFallingEdge(bufferTime, worstCase time.Duration) (in chan<- struct{}, out <-chan struct{}, clean func()) {
	d := &detector{
		t:         bufferTime,
		worstCase: worstCase,
		buf:       make(chan struct{}, 1),
		out:       make(chan struct{}),
		quit:      make(chan struct{}),
	}

	go d.work()

	return d.buf, d.out, func() { close(d.quit) }
}

func (d *detector) work() {
	var waitWrite <-chan time.Time
	var worstCase <-chan time.Time
	for {
		select {
		case <-d.quit:
			return
		case <-d.buf:
			// we have an item in the buffer, dont announce yet
			waitWrite = time.After(d.t)
			if worstCase == nil {
				worstCase = time.After(d.worstCase)
			}
		case <-waitWrite:
			d.out <- struct{}{} // heldout:site
			worstCase = nil
			waitWrite = nil
		case <-worstCase:
			d.out <- struct{}{} // heldout:site
			worstCase = nil
			waitWrite = nil
		}
	}
}

// pullSubscription batches the chunks of a subscription and hands a batch
// on at each falling edge, until ctx ends the subscription.
func pullSubscription(ctx context.Context, chunks <-chan []byte, deliver func([][]byte)) {
	in, out, clean := NewFallingEdge(time.Second, 5*time.Second)
	defer clean()
	var batch [][]byte
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-chunks:
			batch = append(batch, c)
			select {
			case in <- struct{}{}:
			default:
			}
		case <-out:
			deliver(batch)
			batch = nil
		}
	}
}
