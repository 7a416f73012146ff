package real

import "fmt"

// A range over a field channel that nothing closes is a leak only when the
// object can be stopped: a type with Close, Stop, Shutdown... whose
// goroutine outlives it. A type with no such method lives as long as the
// program, and its constructor's goroutine serves it for that life (a
// metrics collector, an insert queue): ranging forever is its design.

// Look-alike: no method stops a tally; its worker serves it forever.
type tally struct {
	events chan string
	counts map[string]int
}

func newTally() *tally {
	t := &tally{events: make(chan string, 64), counts: map[string]int{}}
	go t.count()
	return t
}

func (t *tally) Record(ev string) { t.events <- ev }

func (t *tally) count() {
	for ev := range t.events {
		t.counts[ev]++
	}
}

// The same worker on a type that can be shut down: Shutdown forgets the
// channel, and every shut-down tally leaves its worker blocked.
type stoppableTally struct {
	events chan string
	done   bool
}

func newStoppableTally() *stoppableTally {
	t := &stoppableTally{events: make(chan string, 64)}
	go t.count()
	return t
}

func (t *stoppableTally) Record(ev string) { t.events <- ev }

func (t *stoppableTally) count() {
	for ev := range t.events { // want `nothing closes field events of stoppableTally: this range over it never ends`
		fmt.Println(ev)
	}
}

func (t *stoppableTally) Shutdown() { t.done = true }
