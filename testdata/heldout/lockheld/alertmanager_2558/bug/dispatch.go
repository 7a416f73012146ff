// Package bug is a held-out kernel (issue 14): an alert dispatcher whose
// Stop returns early, leaving its mutex locked, when it was never started
// (or was already stopped), so the server's shutdown blocks on the next
// use of the dispatcher.
//
// Upstream: prometheus/alertmanager#2558 ("Dispatch: Make sure mutex gets unlocked on call to Stop")
// Round: 6
//
// Bug: Stop locks d.mtx and returns when d.cancel is nil without
// unlocking; only the path that cancels unlocks. Grafana called Stop on a
// dispatcher whose Run had not set cancel yet (or twice on shutdown), and
// then blocked in Groups or in Run, both of which lock d.mtx; the PR links
// a stack trace of that shutdown deadlock. The unlock had been suggested
// in the review of the PR that introduced the bug. The aggregation groups
// and routes are our reduction.
//
// Fix: Stop unlocks d.mtx on the early return as well.
package bug

import (
	"context"
	"sync"
)

// Alert is a firing alert.
type Alert struct{ Labels map[string]string }

// AlertIterator delivers new alerts.
type AlertIterator interface {
	Next() <-chan *Alert
	Close()
}

type aggrGroup struct {
	alerts []*Alert
}

// Dispatcher sorts incoming alerts into aggregation groups.
type Dispatcher struct {
	alerts AlertIterator

	mtx    sync.RWMutex
	groups map[string]*aggrGroup

	ctx    context.Context
	cancel func()
	done   chan struct{}
}

// NewDispatcher returns a dispatcher that is not yet running.
func NewDispatcher(ap AlertIterator) *Dispatcher {
	return &Dispatcher{alerts: ap, done: make(chan struct{})}
}

// Run starts dispatching alerts.
func (d *Dispatcher) Run() {
	d.mtx.Lock() // heldout:site
	d.groups = map[string]*aggrGroup{}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.mtx.Unlock()

	defer close(d.done)
	defer d.alerts.Close()
	for {
		select {
		case a, ok := <-d.alerts.Next():
			if !ok {
				return
			}
			d.mtx.Lock()
			key := a.Labels["alertname"]
			ag, ok := d.groups[key]
			if !ok {
				ag = &aggrGroup{}
				d.groups[key] = ag
			}
			ag.alerts = append(ag.alerts, a)
			d.mtx.Unlock()
		case <-d.ctx.Done():
			return
		}
	}
}

// Groups returns the number of alerts in each group.
func (d *Dispatcher) Groups() map[string]int {
	d.mtx.RLock() // heldout:site
	defer d.mtx.RUnlock()
	out := make(map[string]int, len(d.groups))
	for k, ag := range d.groups {
		out[k] = len(ag.alerts)
	}
	return out
}

// Stop stops the dispatcher and waits for Run to return.
func (d *Dispatcher) Stop() {
	if d == nil {
		return
	}
	d.mtx.Lock()
	if d.cancel == nil {
		return // heldout:site
	}
	d.cancel()
	d.cancel = nil
	d.mtx.Unlock()

	<-d.done
}
