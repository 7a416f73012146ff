// Package bug is a held-out kernel (issue 14): two arms of one hedged
// request that take a stream watch's lock and the race's lock in opposite
// orders.
//
// Upstream: Agent-Field/CodeAF#330 ("provider: two arms of one hedge race recording their rows at the same time deadlock, and the turn never ends")
// Round: 3
//
// Bug: streamWatch.facts holds w.mu while it asks the race for the lane
// the arm was asked on (askedLane takes race.mu). hedgeRace.spend holds
// race.mu and walks every other arm, reading each arm's watch (lane and
// written take watch.mu). Two arms recording their rows at once: arm A in
// facts holds watchA.mu and waits for race.mu; arm B in spend holds
// race.mu and waits for watchA.mu. The issue quotes both paths; the
// fields and the cost estimate are our reduction.
//
// Fix: facts reads the asked lane from the race before taking w.mu, so no
// path holds a watch's lock while taking the race's.
package bug

import (
	"sync"
	"time"
)

type waitFacts struct {
	lane    string
	elapsed time.Duration
	bytes   int
	arms    int
	waste   float64
	note    string
}

// streamWatch observes one arm's response stream.
type streamWatch struct {
	race *hedgeRace
	arm  int

	mu      sync.Mutex
	started time.Time
	bytes   int
	curLane string
}

func (w *streamWatch) lane() string {
	w.mu.Lock() // heldout:site
	defer w.mu.Unlock()
	return w.curLane
}

func (w *streamWatch) written() int {
	w.mu.Lock() // heldout:site
	defer w.mu.Unlock()
	return w.bytes
}

// facts gathers what the wait report records for this arm.
func (w *streamWatch) facts(now time.Time) waitFacts {
	w.mu.Lock()
	f := waitFacts{
		lane:    w.race.askedLane(w.arm), // heldout:site
		elapsed: now.Sub(w.started),
		bytes:   w.bytes,
	}
	w.mu.Unlock()
	f.arms, f.waste, f.note = w.race.spend(w.arm)
	return f
}
