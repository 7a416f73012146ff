// Package bug is a held-out kernel (issue 14): a detector goroutine whose
// timer cases send on an unbuffered output channel that nobody reads once
// the subscription is terminated.
//
// Upstream: ethersphere/bee#1456 ("flipflop: fix goroutine leak on subscription termination")
// Round: 2
//
// Bug: the falling-edge detector's loop selects on its input, its two
// timers and quit; the timer cases send on d.C unconditionally. When the
// pull subscription ends, its reader stops receiving from d.C and closes
// quit, but a timer already fired makes the loop block in "d.C <- ..."
// forever (spotted on a live node, per the PR).
//
// Fix: the timer cases send in a select with <-d.quit.
package bug

import "time"

type detector struct {
	C     chan struct{}
	c     chan struct{}
	quit  chan struct{}
	flap  time.Duration
	clean time.Duration
}

// NewFallingEdge returns the detector's output, the function that records
// an event, and the function that stops the detector.
func NewFallingEdge(flap, clean time.Duration) (<-chan struct{}, func(), func()) {
	d := &detector{
		C:     make(chan struct{}),
		c:     make(chan struct{}, 1),
		quit:  make(chan struct{}),
		flap:  flap,
		clean: clean,
	}
	go d.work()
	in := func() {
		select {
		case d.c <- struct{}{}:
		default:
		}
	}
	return d.C, in, func() { close(d.quit) }
}

func (d *detector) work() {
	var waitWrites, waitClean <-chan time.Time
	for {
		select {
		case <-d.c:
			if waitWrites == nil {
				waitWrites = time.After(d.flap)
			}
			waitClean = time.After(d.clean)
		case <-waitWrites:
			d.C <- struct{}{} // heldout:site
			waitWrites, waitClean = nil, nil
		case <-waitClean:
			d.C <- struct{}{} // heldout:site
			waitWrites, waitClean = nil, nil
		case <-d.quit:
			return
		}
	}
}

// pullSubscription reads one falling edge per batch until its stop.
func pullSubscription(edges <-chan struct{}, stop func(), batches <-chan []byte, deliver func([]byte)) {
	defer stop()
	for b := range batches {
		<-edges
		deliver(b)
	}
}
