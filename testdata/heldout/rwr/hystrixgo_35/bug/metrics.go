// Package bug is a held-out kernel (issue 14): a circuit's metric exchange
// whose ErrorPercent read-locks the metrics and then calls the exported
// Requests, which read-locks them again, while the monitor goroutine
// queues for the write lock in between.
//
// Upstream: afex/hystrix-go#35 ("Fix deadlock in ErrorPercent method where mutex is RLocked twice, and…")
// Round: 4
//
// Bug: ErrorPercent holds m.Mutex.RLock and calls m.Requests(), which
// takes m.Mutex.RLock again. The Monitor goroutine takes the write lock
// for every command result it records; if it asks for the lock between
// the two RLocks, it waits for ErrorPercent and ErrorPercent's inner
// RLock waits for it. Every circuit check (IsHealthy) then hangs. The
// rolling counters are reduced to a bucketed sum.
//
// Fix: the PR added requestsLocked, used by ErrorPercent under the read
// lock it already holds, with Requests wrapping it in its own RLock.
package bug

import (
	"sync"
	"time"
)

// Number counts events over a ten-second rolling window.
type Number struct {
	buckets map[int64]float64
}

// NewNumber returns an empty rolling counter.
func NewNumber() *Number { return &Number{buckets: make(map[int64]float64)} }

// Increment adds i to the current second's bucket.
func (r *Number) Increment(i float64, now time.Time) {
	r.buckets[now.Unix()] += i
	for ts := range r.buckets {
		if ts <= now.Unix()-10 {
			delete(r.buckets, ts)
		}
	}
}

// Sum returns the total over the last ten seconds.
func (r *Number) Sum(now time.Time) float64 {
	var sum float64
	for ts, v := range r.buckets {
		if ts > now.Unix()-10 {
			sum += v
		}
	}
	return sum
}

type commandExecution struct {
	Types []string
	Start time.Time
}

type metricExchange struct {
	Name    string
	Updates chan *commandExecution
	Mutex   *sync.RWMutex

	requests *Number
	errors   *Number
}

func newMetricExchange(name string) *metricExchange {
	m := &metricExchange{
		Name:     name,
		Updates:  make(chan *commandExecution, 2000),
		Mutex:    &sync.RWMutex{},
		requests: NewNumber(),
		errors:   NewNumber(),
	}
	go m.Monitor()
	return m
}

// ReportEvent queues one command's result for Monitor (the circuit
// breaker calls it after every run).
func (m *metricExchange) ReportEvent(types []string, start time.Time) {
	m.Updates <- &commandExecution{Types: types, Start: start}
}

// Monitor records every command result.
func (m *metricExchange) Monitor() {
	for update := range m.Updates {
		m.Mutex.Lock() // heldout:site
		m.requests.Increment(1, update.Start)
		for _, t := range update.Types {
			if t == "failure" || t == "timeout" || t == "rejected" {
				m.errors.Increment(1, update.Start)
			}
		}
		m.Mutex.Unlock()
	}
}

// Requests returns the rolling request counter.
func (m *metricExchange) Requests() *Number {
	m.Mutex.RLock() // heldout:site
	defer m.Mutex.RUnlock()
	return m.requests
}

// ErrorPercent returns the share of failed requests, in percent.
func (m *metricExchange) ErrorPercent(now time.Time) int {
	m.Mutex.RLock()
	defer m.Mutex.RUnlock()

	var errPct float64
	reqs := m.Requests().Sum(now) // heldout:site
	errs := m.errors.Sum(now)
	if reqs > 0 {
		errPct = (errs / reqs) * 100
	}
	return int(errPct + 0.5)
}

// IsHealthy reports whether the circuit's error rate is acceptable.
func (m *metricExchange) IsHealthy(now time.Time, threshold int) bool {
	return m.ErrorPercent(now) < threshold
}
