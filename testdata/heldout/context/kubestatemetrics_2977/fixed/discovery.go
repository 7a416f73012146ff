// Package fixed is the fixed version of context/kubestatemetrics_2977: the
// forwarding goroutine receives from ctx.Done() and then closes the stopper,
// so the informer stops with the context.
package fixed

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
		select {
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
		<-ctx.Done()
		log.Printf("context cancelled, stopping discovery")
		close(stopper)
	}()
	go informer.Run(stopper)
	return nil
}
