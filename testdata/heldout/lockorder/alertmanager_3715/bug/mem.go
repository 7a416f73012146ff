// Package bug is a held-out kernel (issue 14): lock-order inversion through
// a garbage-collection callback stored by the constructor.
//
// Upstream: prometheus/alertmanager#3715 ("Fix for deadlock issue #3682")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: store.Alerts.gc holds the store's mutex while it calls the callback
// the provider registered, which locks mem.Alerts.mtx; mem.Alerts.Subscribe
// holds mem.Alerts.mtx while it lists the store, which locks the store's
// mutex.
//
// Fix: gc releases the store's mutex before it calls the callback.
package bug

import (
	"sync"
	"time"
)

// Alert is one alert.
type Alert struct {
	Fingerprint uint64
	EndsAt      time.Time
}

// Alerts is the store package's alert map.
type Alerts struct {
	sync.Mutex
	c  map[uint64]*Alert
	cb func([]*Alert)
}

// NewAlerts returns an empty store.
func NewAlerts() *Alerts {
	return &Alerts{c: map[uint64]*Alert{}, cb: func([]*Alert) {}}
}

// SetGCCallback sets the function gc calls with the resolved alerts.
func (a *Alerts) SetGCCallback(cb func([]*Alert)) {
	a.Lock()
	defer a.Unlock()
	a.cb = cb
}

func (a *Alerts) gc() {
	a.Lock()
	defer a.Unlock()
	var resolved []*Alert
	for fp, alert := range a.c {
		if alert.EndsAt.Before(time.Now()) {
			delete(a.c, fp)
			resolved = append(resolved, alert)
		}
	}
	a.cb(resolved) // heldout:site
}

// List returns the alerts.
func (a *Alerts) List() []*Alert {
	a.Lock() // heldout:site
	defer a.Unlock()
	alerts := make([]*Alert, 0, len(a.c))
	for _, alert := range a.c {
		alerts = append(alerts, alert)
	}
	return alerts
}

// MemAlerts is the mem provider.
type MemAlerts struct {
	alerts    *Alerts
	mtx       sync.Mutex
	listeners map[int]chan *Alert
	next      int
}

// NewMemAlerts wires the provider to the store.
func NewMemAlerts() *MemAlerts {
	a := &MemAlerts{alerts: NewAlerts(), listeners: map[int]chan *Alert{}}
	a.alerts.SetGCCallback(func(resolved []*Alert) {
		a.mtx.Lock() // heldout:site
		defer a.mtx.Unlock()
		for i, l := range a.listeners {
			if len(resolved) > 0 && cap(l) == 0 {
				delete(a.listeners, i)
			}
		}
	})
	go func() {
		for range time.Tick(time.Minute) {
			a.alerts.gc()
		}
	}()
	return a
}

// Subscribe returns the current alerts and registers a listener.
func (a *MemAlerts) Subscribe() ([]*Alert, chan *Alert) {
	a.mtx.Lock()
	defer a.mtx.Unlock()
	alerts := a.alerts.List() // heldout:site
	ch := make(chan *Alert, len(alerts))
	a.listeners[a.next] = ch
	a.next++
	return alerts, ch
}
