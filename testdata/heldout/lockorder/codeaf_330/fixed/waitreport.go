// Package fixed is the fixed version of lockorder/codeaf_330: facts asks
// the race for the lane before it takes the watch's lock.
package fixed

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
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.curLane
}

func (w *streamWatch) written() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bytes
}

// facts gathers what the wait report records for this arm.
func (w *streamWatch) facts(now time.Time) waitFacts {
	lane := w.race.askedLane(w.arm)
	w.mu.Lock()
	f := waitFacts{
		lane:    lane,
		elapsed: now.Sub(w.started),
		bytes:   w.bytes,
	}
	w.mu.Unlock()
	f.arms, f.waste, f.note = w.race.spend(w.arm)
	return f
}
