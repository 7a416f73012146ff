// Package fixed is the fixed version of chansend/bee_1456: the timer cases
// give up their send when the detector is stopped.
package fixed

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
			select {
			case d.C <- struct{}{}:
			case <-d.quit:
				return
			}
			waitWrites, waitClean = nil, nil
		case <-waitClean:
			select {
			case d.C <- struct{}{}:
			case <-d.quit:
				return
			}
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
