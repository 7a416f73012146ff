// Package bug is a held-out kernel (issue 14): a per-watch helper goroutine
// that stops its watch only when the caller's context is done, although
// the watch itself ends long before.
//
// Upstream: argoproj/argo-cd#448 ("Issue 419 - Clean watch resources"; commit d7f3d59 of that PR fixes the leak)
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug (from the PR: "argo.WatchResourcesWithLabel and cluster.WatchClusters
// had goroutines which forever wait for context to be canceled"): for each
// watchable resource kind, WatchResourcesWithLabel starts a goroutine that
// opens the watch, starts a helper that waits on ctx.Done() to stop it, and
// copies the watch's events into ch. Kubernetes ends watches after a
// timeout; the copy goroutine returns, ch is closed, and the controller
// watches again with its own long-lived context. Every helper of every
// ended watch still waits on ctx.Done(), forever: goroutines and memory
// grew until the fix. (The controller loop below is our reduction.)
//
// Fix: no helper goroutine; each watch goroutine defers w.Stop() and copies
// the events in copyEventsChannel until the watch ends or ctx is done.
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

// ListOptions selects the objects to watch.
type ListOptions struct {
	LabelSelector string
}

// Interface is a Kubernetes watch.
type Interface interface {
	ResultChan() <-chan Event
	Stop()
}

// ResourceInterface is the dynamic client of one resource kind.
type ResourceInterface interface {
	Watch(opts ListOptions) (Interface, error)
}

// WatchResourcesWithLabel watches every resource kind for objects with the
// label; the returned channel is closed when all the watches have ended.
func WatchResourcesWithLabel(ctx context.Context, resources []ResourceInterface, labelName string) (chan Event, error) {
	ch := make(chan Event)
	go func() {
		var wg sync.WaitGroup
		wg.Add(len(resources))
		for i := 0; i < len(resources); i++ {
			resource := resources[i]
			go func() {
				defer wg.Done()
				watch, err := resource.Watch(ListOptions{LabelSelector: labelName})
				go func() {
					select { // heldout:site
					case <-ctx.Done():
						watch.Stop()
					}
				}()
				if err == nil {
					for event := range watch.ResultChan() {
						ch <- event
					}
				}
			}()
		}
		wg.Wait()
		close(ch)
	}()
	return ch, nil
}

// ApplicationController refreshes the applications whose resources change.
type ApplicationController struct {
	resources []ResourceInterface
	refresh   func(Event)
}

// watchAppsResources follows the applications' resources for the
// controller's life, watching again whenever the watches end.
func (ctrl *ApplicationController) watchAppsResources(ctx context.Context) {
	for {
		watchCh, err := WatchResourcesWithLabel(ctx, ctrl.resources, "applications.argoproj.io/app-name") // heldout:site
		if err != nil {
			return
		}
		for next := range watchCh {
			ctrl.refresh(next)
		}
		select {
		case <-ctx.Done():
			return
		default:
		}
	}
}
