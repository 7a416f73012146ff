// Package bug is a held-out kernel (issue 14): a CRD discoverer runs an
// informer until a stopper channel is closed, and forwards the caller's
// context to it with a goroutine that ranges over ctx.Done(); a Done
// channel is only ever closed, never sent on, so the loop body that closes
// the stopper never runs and the informer outlives the context for ever.
//
// Upstream: kubernetes/kube-state-metrics#2977 ("fix(discovery): Stop the discoverer when the context is canceled")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: StartDiscovery builds an informer over CustomResourceDefinitions,
// registers add/delete handlers that update the discovered GVK map, and
// starts `go func() { for range ctx.Done() { close(stopper); return } }()`
// next to `go informer.Run(stopper)`. The PR: "when the channel is closed,
// the for loop exits without executing its body so that the stopper
// channel is never closed and the informer goroutine is leaked." The
// client-go informer is reduced to a watch loop over an event source.
//
// Fix: the forwarding goroutine does a plain receive, <-ctx.Done(), and
// then closes the stopper.
package bug

import (
	"context"
	"log"
	"sync"
)

// GroupVersionKindPlural names one served custom resource version.
type GroupVersionKindPlural struct {
	Group, Version, Kind, Plural string
}

// Event is an add or delete of a CRD.
type Event struct {
	Deleted bool
	GVKPs   []GroupVersionKindPlural
}

// EventSource is the apiserver watch behind the informer.
type EventSource interface {
	Events() <-chan Event
}

// ResourceEventHandlerFuncs are the informer's callbacks.
type ResourceEventHandlerFuncs struct {
	AddFunc    func(Event)
	DeleteFunc func(Event)
}

// Informer watches CRDs and calls its handlers.
type Informer struct {
	source   EventSource
	handlers []ResourceEventHandlerFuncs
}

// AddEventHandler registers h.
func (i *Informer) AddEventHandler(h ResourceEventHandlerFuncs) error {
	i.handlers = append(i.handlers, h)
	return nil
}

// Run dispatches events until stopCh is closed.
func (i *Informer) Run(stopCh <-chan struct{}) {
	events := i.source.Events()
	for {
		select { // heldout:site
		case <-stopCh:
			return
		case ev := <-events:
			for _, h := range i.handlers {
				if ev.Deleted {
					h.DeleteFunc(ev)
				} else {
					h.AddFunc(ev)
				}
			}
		}
	}
}

// CRDiscoverer keeps the set of served custom resources.
type CRDiscoverer struct {
	m          sync.RWMutex
	Map        map[string]map[string][]GroupVersionKindPlural
	WasUpdated bool
	newSource  func() EventSource
}

// NewCRDiscoverer returns a discoverer watching sources made by newSource.
func NewCRDiscoverer(newSource func() EventSource) *CRDiscoverer {
	return &CRDiscoverer{Map: map[string]map[string][]GroupVersionKindPlural{}, newSource: newSource}
}

func (r *CRDiscoverer) update(ev Event, add bool) {
	r.m.Lock()
	defer r.m.Unlock()
	for _, g := range ev.GVKPs {
		if r.Map[g.Group] == nil {
			r.Map[g.Group] = map[string][]GroupVersionKindPlural{}
		}
		kinds := r.Map[g.Group][g.Version]
		if add {
			kinds = append(kinds, g)
		} else {
			for j, k := range kinds {
				if k.Kind == g.Kind {
					kinds = append(kinds[:j], kinds[j+1:]...)
					break
				}
			}
		}
		r.Map[g.Group][g.Version] = kinds
	}
	r.WasUpdated = true
}

// StartDiscovery starts the informer; it should stop when ctx is done.
func (r *CRDiscoverer) StartDiscovery(ctx context.Context) error {
	informer := &Informer{source: r.newSource()}
	stopper := make(chan struct{})
	err := informer.AddEventHandler(ResourceEventHandlerFuncs{
		AddFunc:    func(ev Event) { r.update(ev, true) },
		DeleteFunc: func(ev Event) { r.update(ev, false) },
	})
	if err != nil {
		return err
	}
	// Respect context cancellation.
	go func() {
		for range ctx.Done() { // heldout:site
			log.Printf("context cancelled, stopping discovery")
			close(stopper)
			return
		}
	}()
	go informer.Run(stopper)
	return nil
}
