// Command taxi is the seeds' taxi discrete-event simulation (Fluent Python
// ch.16): each taxi is a generator that yields an event at every change of
// state and is sent the time of its next one; a simulator drives them all
// from a priority queue of events, on one goroutine, with no threads.
//
// Usage: taxi [-end 180] [-taxis 3] [-seed 7]
//
// Durations come from the same linear congruential generator as
// testdata/taxi_sim.py, so the output matches CPython's byte for byte.
package main

import (
	"container/heap"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Event is a change of state of a taxi at a time.
type Event struct {
	Time   int
	Proc   int
	Action string
}

// String prints an event as Python prints the namedtuple.
func (e Event) String() string {
	return fmt.Sprintf("Event(time=%d, proc=%d, action='%s')", e.Time, e.Proc, e.Action)
}

const (
	departureInterval = 5
	searchDuration    = 5
	tripDuration      = 20
)

// taxiProcess yields an event at each change of state and is sent the
// time of the next one.
//
//asyncgo:generator
func taxiProcess(ident, trips, startTime int) *coro.Generator[Event, int, struct{}] {
	return coro.New(func(co *coro.Co[Event, int]) struct{} {
		time := co.Yield(Event{startTime, ident, "leave garage"})
		for range trips {
			time = co.Yield(Event{time, ident, "pick up passenger"})
			time = co.Yield(Event{time, ident, "drop off passenger"})
		}
		co.Yield(Event{time, ident, "going home"})
		return struct{}{}
	})
}

// lcg is the simulation's source of durations, shared with the Python
// version so both draw the same numbers.
type lcg struct{ x int64 }

func (r *lcg) next() int64 {
	r.x = (r.x*1103515245 + 12345) % (1 << 31)
	return r.x
}

func computeDuration(r *lcg, previousAction string) (int, error) {
	var interval int64
	switch previousAction {
	case "leave garage", "drop off passenger":
		interval = searchDuration
	case "pick up passenger":
		interval = tripDuration
	case "going home":
		interval = 1
	default:
		return 0, fmt.Errorf("unknown previous action: %q", previousAction)
	}
	return int(1 + r.next()%(2*interval)), nil
}

// events is a priority queue ordered like Python's tuples: time, then
// taxi, then action.
type events []Event

func (q events) Len() int { return len(q) }
func (q events) Less(i, j int) bool {
	a, b := q[i], q[j]
	if a.Time != b.Time {
		return a.Time < b.Time
	}
	if a.Proc != b.Proc {
		return a.Proc < b.Proc
	}
	return a.Action < b.Action
}
func (q events) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *events) Push(x any)   { *q = append(*q, x.(Event)) }
func (q *events) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type taxi = *coro.Generator[Event, int, struct{}]

// simulate runs the taxis until endTime or until no events are left.
func simulate(w io.Writer, procs []taxi, endTime int, rng *lcg) error {
	q := &events{}
	for _, p := range procs {
		first, err := p.Next()
		if err != nil {
			return err
		}
		heap.Push(q, first)
	}
	for simTime := 0; simTime < endTime; {
		if q.Len() == 0 {
			fmt.Fprintln(w, "*** end of events ***")
			return nil
		}
		current := heap.Pop(q).(Event)
		simTime = current.Time
		fmt.Fprintln(w, "taxi:", current.Proc, strings.Repeat("  ", current.Proc), current)
		d, err := computeDuration(rng, current.Action)
		if err != nil {
			return err
		}
		next, err := procs[current.Proc].Send(simTime + d)
		switch {
		case err == coro.ErrStopIteration:
			// this taxi has gone home
		case err != nil:
			return err
		default:
			heap.Push(q, next)
		}
	}
	fmt.Fprintf(w, "*** end of simulation time: %d events pending ***\n", q.Len())
	return nil
}

func run(w io.Writer, endTime, numTaxis int, seed int64) error {
	procs := make([]taxi, numTaxis)
	for i := range procs {
		procs[i] = taxiProcess(i, (i+1)*2, i*departureInterval)
	}
	defer func() {
		for _, p := range procs {
			p.Close()
		}
	}()
	return simulate(w, procs, endTime, &lcg{seed})
}

func main() {
	endTime := flag.Int("end", 180, "simulation end time")
	numTaxis := flag.Int("taxis", 3, "number of taxis")
	seed := flag.Int64("seed", 7, "seed of the durations")
	flag.Parse()
	if err := run(os.Stdout, *endTime, *numTaxis, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "taxi:", err)
		os.Exit(1)
	}
}
