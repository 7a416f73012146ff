package stuckcounts

import "time"

// Receivers that stop once a counter reaches the number of results they
// expect. The checker follows the count when it knows the number of
// senders (a counter of the goroutines started, a counted loop, a
// literal) and the bound (a local, an argument, a field set once); it
// gives up on a constant retry limit.

// tally expects n results.
type tally struct {
	n    int
	fail int
}

// drain takes t.n results, never closing ch.
func (t tally) drain(ch chan error) int {
	bad, seen := 0, 0
	for err := range ch { // want `this range loop can block forever: nothing else sends or closes`
		seen++
		if err != nil {
			bad++
		}
		if seen == t.n {
			break
		}
	}
	return bad
}

// Only the jobs not skipped start: when every job is skipped the drain
// waits for a first result that never comes.
func runSome(jobs []func() error, skip func(int) bool) int {
	ch := make(chan error)
	started := 0
	for i, job := range jobs {
		if skip(i) {
			continue
		}
		started++
		go func() { ch <- job() }()
	}
	return tally{n: started, fail: 1}.drain(ch)
}

// drainSafe returns at once when there is nothing to wait for.
func (t tally) drainSafe(ch chan error) int {
	if t.n == 0 {
		return 0
	}
	bad, seen := 0, 0
	for err := range ch {
		seen++
		if err != nil {
			bad++
		}
		if seen == t.n {
			break
		}
	}
	return bad
}

// Fixed twin: the drain checks for an empty group first.
func runSomeFixed(jobs []func() error, skip func(int) bool) int {
	ch := make(chan error)
	started := 0
	for i, job := range jobs {
		if skip(i) {
			continue
		}
		started++
		go func() { ch <- job() }()
	}
	return tally{n: started}.drainSafe(ch)
}

// The same through a pointer: the tally is made once and the drain only
// reads it.
func (t *tally) drainPtr(ch chan int) int {
	sum, got := 0, 0
	for v := range ch { // want `this range loop can block forever: nothing else sends or closes`
		got++
		sum += v
		if got >= t.n {
			return sum
		}
	}
	return sum
}

func sumSome(xs []int, keep func(int) bool) int {
	ch := make(chan int)
	n := 0
	for _, x := range xs {
		if !keep(x) {
			continue
		}
		n++
		go func() { ch <- x * x }()
	}
	t := &tally{n: n}
	return t.drainPtr(ch)
}

// Look-alike: every element starts a goroutine, and the receiver counts
// to the length: it takes every value and stops.
func sumAll(xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x + 1 }()
	}
	got, sum := 0, 0
	for v := range ch {
		got++
		sum += v
		if got == len(xs) {
			break
		}
	}
	return sum
}

// An argument as the bound, with a blank receive: three senders, three
// receives.
func waitN(ch chan struct{}, n int) {
	got := 0
	for range ch {
		got++
		if got == n {
			return
		}
	}
}

func threeWorkers() {
	ch := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() { ch <- struct{}{} }()
	}
	waitN(ch, 3)
}

// The same with one receive too many: the fourth waits forever.
func waitMore(ch chan struct{}, n int) {
	got := 0
	for {
		<-ch // want `this receive can block forever`
		got++
		if got == n {
			return
		}
	}
}

func threeWorkersFour() {
	ch := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() { ch <- struct{}{} }()
	}
	waitMore(ch, 4)
}

// Only successes count, the loop going on over failures; the number of
// results is what the senders decide, not known here: silent.
func firstTwoOK(jobs []func() error) {
	ch := make(chan error, len(jobs))
	for _, job := range jobs {
		go func() { ch <- job() }()
	}
	ok := 0
	for ok < 2 {
		if err := <-ch; err == nil {
			ok++
		}
	}
}

// A constant retry limit unrelated to the senders: the checker gives up
// (one sender, the loop may leave after ten ticks without taking it).
func pollTen(work func() int) {
	ch := make(chan int)
	go func() { ch <- work() }()
	tries := 0
	for {
		select {
		case <-ch:
			return
		case <-time.After(time.Millisecond):
			tries++
			if tries == 10 {
				return
			}
		}
	}
}

// A shadowed counter: the inner got counts nothing the exit tests; the
// outer one counts every receive.
func shadowed(xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	got, sum := 0, 0
	for v := range ch {
		{
			got := v
			sum += got
		}
		got++
		if got == len(xs) {
			break
		}
	}
	return sum
}

// Ranges over an int on both sides (go/ssa tests the count after the
// body): as many receives as goroutines, and the two counts must agree
// with the collector's exact count of the same bound.
func rangeInt(procs int, work func() int) int {
	ch := make(chan int)
	for range procs {
		go func() { ch <- work() }()
	}
	sum := 0
	for range procs {
		sum += <-ch
	}
	return sum
}

// The same with the collector counting itself out.
func rangeIntCount(procs int, work func() int) int {
	ch := make(chan int)
	for range procs {
		go func() { ch <- work() }()
	}
	sum, got := 0, 0
	for v := range ch {
		sum += v
		if got++; got == procs {
			break
		}
	}
	return sum
}

// A retry count before the one send, stepped apart from the channel: the
// count is not the senders', and the failed tries touch no channel, so
// the checker runs the loop free (chanmodel loops.go, session 23) and
// finds the leak when more is false.
func retryThenSend(read func() (string, bool), more func() bool) string {
	ch := make(chan string)
	go func() {
		tries, s := 0, ""
		for {
			v, ok := read()
			if ok {
				s = v
				break
			}
			if tries < 3 {
				tries++
				continue
			}
			break
		}
		ch <- s // want `this send can block forever`
	}()
	if more() {
		return <-ch
	}
	return ""
}

// sizer hides the count behind an interface.
type sizer interface{ size() int }

type fixed struct{ n int }

func (f fixed) size() int { return f.n }

// The bound comes through an interface call the model does not follow:
// unknown, so the checker gives up on the channel rather than guess (it
// would be a leak for a size over the senders').
func viaInterface(s sizer, xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	sum, got := 0, 0
	for v := range ch {
		sum += v
		got++
		if got == s.size() {
			break
		}
	}
	return sum
}

func callViaInterface(xs []int) int { return viaInterface(fixed{len(xs)}, xs) }
