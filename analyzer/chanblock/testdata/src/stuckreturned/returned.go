// Package stuckreturned holds channels a function makes and returns to a
// caller in the package: the checker runs the maker's goroutines with the
// caller from the call on. Each leak sits beside a fixed twin.
package stuckreturned

import (
	"context"
	"errors"
	"sync"
)

func load() string { return "x" }

// fetch hands the result over unbuffered: a caller that gives up on its
// context leaves the loader blocked forever.
func fetch() <-chan string {
	ch := make(chan string)
	go func() {
		ch <- load() // want `this send can block forever: get leaves its select by another case`
	}()
	return ch
}

func get(ctx context.Context) (string, error) {
	select {
	case s := <-fetch():
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// fetchFixed has room for the result: the loader never waits.
func fetchFixed() <-chan string {
	ch := make(chan string, 1)
	go func() {
		ch <- load()
	}()
	return ch
}

func getFixed(ctx context.Context) (string, error) {
	select {
	case s := <-fetchFixed():
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

type event struct{ name string }

type watcher struct{ names []string }

// events sends two events; the caller takes one and leaves: the second
// send blocks the pump forever.
func (w *watcher) events() <-chan event {
	out := make(chan event)
	go w.pump(out)
	return out
}

func (w *watcher) pump(out chan<- event) {
	out <- event{"start"}
	out <- event{"stop"} // want `this send can block forever: firstEvent returns`
}

func (w *watcher) pump2(out chan<- event) {
	out <- event{"start"}
	out <- event{"stop"}
}

func (w *watcher) pump3(out chan<- event) {
	out <- event{"start"}
	out <- event{"stop"}
}

func firstEvent(w *watcher) string {
	ev := <-w.events()
	return ev.name
}

// eventsFixed has room for both events.
func (w *watcher) eventsFixed() <-chan event {
	out := make(chan event, 2)
	go w.pump2(out)
	return out
}

func firstEventFixed(w *watcher) string {
	ev := <-w.eventsFixed()
	return ev.name
}

// eventsDrained is the unbuffered one, with a caller that takes both.
func (w *watcher) eventsDrained() <-chan event {
	out := make(chan event)
	go w.pump3(out)
	return out
}

func bothEvents(w *watcher) string {
	ch := w.eventsDrained()
	a := <-ch
	b := <-ch
	return a.name + b.name
}

var errBusy = errors.New("busy")

// start returns the channel with an error beside it; the caller reads one
// value of two in a select-free way.
func start(busy bool) (<-chan int, error) {
	if busy {
		return nil, errBusy
	}
	res := make(chan int)
	go func() {
		res <- 1
		res <- 2 // want `this send can block forever: useStart returns`
	}()
	return res, nil
}

func useStart() int {
	ch, err := start(false)
	if err != nil {
		return -1
	}
	return <-ch
}

// startFixed closes after sending; the caller ranges to the end.
func startFixed(busy bool) (<-chan int, error) {
	if busy {
		return nil, errBusy
	}
	res := make(chan int)
	go func() {
		defer close(res)
		res <- 1
		res <- 2
	}()
	return res, nil
}

func useStartFixed() int {
	ch, err := startFixed(false)
	if err != nil {
		return -1
	}
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

// command reports its outcome from two goroutines, at most once each.
type command struct {
	mu       sync.Mutex
	reported bool
	errc     chan error
	finished chan bool
}

func (c *command) report(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reported {
		return
	}
	c.reported = true
	c.errc <- err
}

// goOnce reports once: the flag keeps the second report from sending on
// the channel the caller receives from once.
func goOnce(run func() error) chan error {
	c := &command{errc: make(chan error)}
	go func() {
		c.report(run())
	}()
	go func() {
		c.report(errors.New("timeout"))
	}()
	return c.errc
}

func waitOnce(run func() error) error {
	return <-goOnce(run)
}

func (c *command) reportTwice(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errc <- err // want `this send can block forever`
}

// goTwice reports from both goroutines without the flag: the second
// report finds no receiver and blocks.
func goTwice(run func() error) chan error {
	c := &command{errc: make(chan error)}
	go func() {
		c.reportTwice(run())
	}()
	go func() {
		c.reportTwice(errors.New("timeout"))
	}()
	return c.errc
}

func waitTwice(run func() error) error {
	return <-goTwice(run)
}

// pollEach makes a new channel per round and drains it: nothing is left.
func pollEach(n int) int {
	sum := 0
	for i := 0; i < n; i++ {
		ch, err := startFixed(false)
		if err != nil {
			continue
		}
		for v := range ch {
			sum += v
		}
	}
	return sum
}

// stream stops when the caller's done channel is closed, which the caller
// does as it returns: the select's done case fires only then.
func stream(done chan bool) chan int {
	out := make(chan int)
	go func() {
		for _, v := range []int{1, 2} {
			select {
			case out <- v:
			case <-done:
				return
			}
		}
		<-done
	}()
	return out
}

func readStream() int {
	done := make(chan bool)
	defer close(done)
	out := stream(done)
	return <-out + <-out
}
