// Package fixed is the fixed version of context/argocd_448: each watch has
// its own context, cancelled when it is replaced.
package fixed

import (
	"context"
	"sync"
)

// Event is a Kubernetes watch event.
type Event struct {
	Type   string
	Object string
}

// Watcher is a Kubernetes watch.
type Watcher interface {
	ResultChan() <-chan Event
	Stop()
}

// Client opens watches.
type Client interface {
	Watch(namespace, labelSelector string) (Watcher, error)
}

// WatchResourcesWithLabel watches all resources with the label and stops
// the watches when ctx is done.
func WatchResourcesWithLabel(ctx context.Context, client Client, namespaces []string, labelName string) (chan Event, error) {
	ch := make(chan Event)
	var watchers []Watcher
	for _, ns := range namespaces {
		w, err := client.Watch(ns, labelName)
		if err != nil {
			return nil, err
		}
		watchers = append(watchers, w)
		go func(w Watcher) {
			for ev := range w.ResultChan() {
				ch <- ev
			}
		}(w)
	}
	go func() {
		<-ctx.Done()
		for _, w := range watchers {
			w.Stop()
		}
	}()
	return ch, nil
}

// ApplicationController refreshes applications.
type ApplicationController struct {
	ctx    context.Context
	client Client
	mu     sync.Mutex
	events chan Event
	cancel context.CancelFunc
}

// watchAppsResources (re)starts the resource watch for the current set of
// namespaces.
func (c *ApplicationController) watchAppsResources(namespaces []string) error {
	ctx, cancel := context.WithCancel(c.ctx)
	ch, err := WatchResourcesWithLabel(ctx, c.client, namespaces, "app.kubernetes.io/instance")
	if err != nil {
		cancel()
		return err
	}
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.events = ch
	c.cancel = cancel
	c.mu.Unlock()
	return nil
}
