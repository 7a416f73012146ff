// Package fixed is the fixed version of lockheld/alertmanager_2558: Stop
// unlocks the mutex on its early return too.
package fixed

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
	d.mtx.Lock()
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
	d.mtx.RLock()
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
		d.mtx.Unlock()
		return
	}
	d.cancel()
	d.cancel = nil
	d.mtx.Unlock()

	<-d.done
}
