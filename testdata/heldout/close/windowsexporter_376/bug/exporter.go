// Package bug is a held-out kernel (issue 14): every scrape of the WMI
// exporter starts a goroutine that ranges over metricsBuffer, forwarding
// the collectors' metrics to Prometheus; a refactor dropped the close of
// metricsBuffer, so after the collectors finish that goroutine waits in
// its range for ever, one more per scrape.
//
// Upstream: prometheus-community/windows_exporter#376 ("Fix goroutine leak")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Collect prepares a scrape context, then starts the forwarder
// (ranging over the unbuffered metricsBuffer and passing each metric on
// to ch unless the scrape has finished), one goroutine per collector
// running execute into metricsBuffer and recording its outcome, and a
// goroutine that waits for the collectors' WaitGroup and closes allDone.
// Collect waits for allDone or the scrape timeout, marks the scrape
// finished under l and reports the outcomes. The PR says "a crucial close
// was dropped during a refactor" (of #335): nothing closes metricsBuffer,
// so the forwarder never leaves its range. prometheus.Metric, Desc and
// the WMI queries are reduced to a Metric struct and a Collector
// interface.
//
// Fix (prometheus-community/windows_exporter#376): the goroutine that
// waits for the collectors closes metricsBuffer after allDone, ending the
// forwarder's range once the last collector has sent.
package bug

import (
	"fmt"
	"log"
	"sort"
	"sync"
	"time"
)

// Metric is a collected sample.
type Metric struct {
	Name   string
	Value  float64
	Labels map[string]string
	Err    error
}

// ScrapeContext holds the data shared by the collectors of one scrape.
type ScrapeContext struct {
	perfObjects map[string][]float64
}

// PrepareScrapeContext snapshots the performance counters once.
func PrepareScrapeContext(collectors []string) (*ScrapeContext, error) {
	return &ScrapeContext{perfObjects: make(map[string][]float64, len(collectors))}, nil
}

// Collector is one of the exporter's collectors (cpu, logical_disk, ...).
type Collector interface {
	Collect(ctx *ScrapeContext, ch chan<- Metric) error
}

type collectorOutcome int

const (
	pending collectorOutcome = iota
	success
	failed
)

// WmiCollector implements the Prometheus collector interface.
type WmiCollector struct {
	maxScrapeDuration time.Duration
	collectors        map[string]Collector
}

func execute(name string, c Collector, ctx *ScrapeContext, ch chan<- Metric) collectorOutcome {
	t := time.Now()
	err := c.Collect(ctx, ch)
	duration := time.Since(t).Seconds()
	ch <- Metric{Name: "wmi_exporter_collector_duration_seconds", Value: duration, Labels: map[string]string{"collector": name}}
	if err != nil {
		log.Printf("collector %s failed after %fs: %s", name, duration, err)
		return failed
	}
	return success
}

// Collect sends the collected metrics from each of the collectors to
// Prometheus.
func (coll WmiCollector) Collect(ch chan<- Metric) {
	cs := make([]string, 0, len(coll.collectors))
	for name := range coll.collectors {
		cs = append(cs, name)
	}
	scrapeContext, err := PrepareScrapeContext(cs)
	if err != nil {
		ch <- Metric{Name: "wmi_exporter_collector_success", Err: fmt.Errorf("failed to prepare scrape: %v", err)}
		return
	}

	wg := sync.WaitGroup{}
	wg.Add(len(coll.collectors))
	collectorOutcomes := make(map[string]collectorOutcome)
	for name := range coll.collectors {
		collectorOutcomes[name] = pending
	}

	metricsBuffer := make(chan Metric)
	l := sync.Mutex{}
	finished := false
	go func() {
		for m := range metricsBuffer { // heldout:site
			l.Lock()
			if !finished {
				ch <- m
			}
			l.Unlock()
		}
	}()

	for name, c := range coll.collectors {
		go func(name string, c Collector) {
			defer wg.Done()
			outcome := execute(name, c, scrapeContext, metricsBuffer)
			l.Lock()
			if !finished {
				collectorOutcomes[name] = outcome
			}
			l.Unlock()
		}(name, c)
	}

	allDone := make(chan struct{})
	go func() {
		wg.Wait()
		close(allDone) // heldout:site
	}()

	// Wait until either all collectors finish, or timeout expires
	select {
	case <-allDone:
	case <-time.After(coll.maxScrapeDuration):
	}

	l.Lock()
	finished = true

	remaining := make([]string, 0)
	for name, outcome := range collectorOutcomes {
		var successValue, timeoutValue float64
		if outcome == pending {
			timeoutValue = 1.0
			remaining = append(remaining, name)
		}
		if outcome == success {
			successValue = 1.0
		}
		ch <- Metric{Name: "wmi_exporter_collector_success", Value: successValue, Labels: map[string]string{"collector": name}}
		ch <- Metric{Name: "wmi_exporter_collector_timeout", Value: timeoutValue, Labels: map[string]string{"collector": name}}
	}
	if len(remaining) > 0 {
		sort.Strings(remaining)
		log.Printf("Collection timed out, still waiting for %v", remaining)
	}
	l.Unlock()
}
