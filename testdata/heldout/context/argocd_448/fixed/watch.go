// Package fixed is the fixed version of context/argocd_448: each watch
// goroutine stops its own watch and copies its events until the watch ends
// or ctx is done (argo-cd commit d7f3d59). Upstream's done channel is
// unbuffered, so once ctx wins the copy goroutine's final "done <- true"
// has no receiver; it has a buffer of one here so that the fixed package
// holds no leak of its own.
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
				w, err := resource.Watch(ListOptions{LabelSelector: labelName})
				if err == nil {
					defer w.Stop()
					copyEventsChannel(ctx, w.ResultChan(), ch)
				}
			}()
		}
		wg.Wait()
		close(ch)
	}()
	return ch, nil
}

func copyEventsChannel(ctx context.Context, src <-chan Event, dst chan Event) {
	done := make(chan bool, 1)
	go func() {
		for event := range src {
			dst <- event
		}
		done <- true
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
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
		watchCh, err := WatchResourcesWithLabel(ctx, ctrl.resources, "applications.argoproj.io/app-name")
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
