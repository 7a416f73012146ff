package real

import (
	"sync"
	"time"
)

type sample struct {
	name  string
	value float64
}

// sampleCollector is implemented outside the package.
type sampleCollector interface {
	Collect(ch chan<- sample) error
}

// Upstream: prometheus-community/windows_exporter#376
//
// Bug: each scrape starts a forwarder ranging over metricsBuffer and one
// goroutine per collector, which hands the channel to Collect and then
// sends its own duration sample on it; a refactor dropped the close of
// metricsBuffer after the collectors' WaitGroup, so the forwarder's range
// never ends and one goroutine leaks per scrape. Collect cannot close the
// channel: execute sends on it after Collect returns. Fix: close it once
// the collectors are done.
func scrapeAll(collectors map[string]sampleCollector, out chan<- sample, timeout time.Duration) {
	var wg sync.WaitGroup
	wg.Add(len(collectors))
	buf := make(chan sample)
	go func() {
		for m := range buf { // want `nothing closes this channel: this range over it never ends, and its goroutine blocks forever after the last value \(the package never closes it, and the calls it is handed to`
			out <- m
		}
	}()
	for name, c := range collectors {
		go func(name string, c sampleCollector) {
			defer wg.Done()
			executeCollector(name, c, buf)
		}(name, c)
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

func executeCollector(name string, c sampleCollector, ch chan<- sample) {
	t := time.Now()
	err := c.Collect(ch)
	ch <- sample{name: name + "_duration", value: time.Since(t).Seconds()}
	if err != nil {
		ch <- sample{name: name + "_failed", value: 1}
	}
}

// The fix: the channel is closed once the collectors are done.
func scrapeAllFixed(collectors map[string]sampleCollector, out chan<- sample) {
	var wg sync.WaitGroup
	wg.Add(len(collectors))
	buf := make(chan sample)
	fwd := make(chan struct{})
	go func() {
		defer close(fwd)
		for m := range buf {
			out <- m
		}
	}()
	for name, c := range collectors {
		go func(name string, c sampleCollector) {
			defer wg.Done()
			executeCollector(name, c, buf)
		}(name, c)
	}
	wg.Wait()
	close(buf)
	<-fwd
}

// Look-alike: nothing is sent after the hand-over, so the collector may
// own the channel and close it once done.
func scrapeOwned(c sampleCollector, out chan<- sample) {
	buf := make(chan sample)
	go func() {
		for m := range buf {
			out <- m
		}
	}()
	go func() {
		_ = c.Collect(buf)
	}()
}

// Look-alike: the send after the call happens on one path only.
func scrapeMaybe(c sampleCollector, out chan<- sample, mark bool) {
	buf := make(chan sample)
	go func() {
		for m := range buf {
			out <- m
		}
	}()
	go func() {
		_ = c.Collect(buf)
		if mark {
			buf <- sample{name: "mark"}
		}
	}()
}

// Look-alike: the forwarder also leaves on a stop channel.
func scrapeStoppable(c sampleCollector, out chan<- sample, stop <-chan struct{}) {
	buf := make(chan sample)
	go func() {
		for {
			select {
			case m := <-buf:
				out <- m
			case <-stop:
				return
			}
		}
	}()
	go executeCollector("one", c, buf)
}
