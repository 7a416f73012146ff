// Package bug is a held-out kernel (issue 14): a watch helper whose cleanup
// goroutine waits for a context that its caller never cancels.
//
// Upstream: argoproj/argo-cd#448 ("Issue 419 - Clean watch resources"; commit d7f3d59 of that PR fixes the leak)
// Round: 2
//
// Bug (from the PR): WatchResourcesWithLabel and WatchClusters had
// goroutines that wait forever for their context to be cancelled. The
// controller restarts the resource watch on every refresh with its own
// long-lived context, so each abandoned watch keeps its stop goroutine (and
// its watchers) forever; memory grew until the fix.
//
// Fix: each watch gets its own cancellable context, cancelled when the
// watch is replaced.
package bug

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
		<-ctx.Done() // heldout:site
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
}

// watchAppsResources (re)starts the resource watch for the current set of
// namespaces.
func (c *ApplicationController) watchAppsResources(namespaces []string) error {
	ch, err := WatchResourcesWithLabel(c.ctx, c.client, namespaces, "app.kubernetes.io/instance") // heldout:site
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.events = ch
	c.mu.Unlock()
	return nil
}
