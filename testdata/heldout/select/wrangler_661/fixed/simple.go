// Package fixed is the fixed version of select/wrangler_661: the
// forwarding goroutine sends in a select that also watches ctx.Done(), so
// it returns once the consumer's context ends.
package fixed

import (
	"context"
)

// Object is a Kubernetes object.
type Object interface {
	Kind() string
}

// Status is the object of an error event.
type Status struct{ Message string }

// Kind implements Object.
func (*Status) Kind() string { return "Status" }

// Summary is a summarized object.
type Summary struct {
	kind  string
	State string
}

// Kind implements Object.
func (s *Summary) Kind() string { return s.kind }

// Event is a watch event.
type Event struct {
	Type   string
	Object Object
}

// WatchInterface is k8s.io/apimachinery's watch.Interface.
type WatchInterface interface {
	Stop()
	ResultChan() <-chan Event
}

// dynamicClient is the client the summary client wraps.
type dynamicClient interface {
	Watch(ctx context.Context, namespace string) (WatchInterface, error)
}

type watcher struct {
	WatchInterface
	eventChan chan Event
}

func (w watcher) ResultChan() <-chan Event {
	return w.eventChan
}

type summaryResourceClient struct {
	client    dynamicClient
	namespace string
	summarize func(Object) Object
}

// Watch watches objects and delivers their summaries.
func (c *summaryResourceClient) Watch(ctx context.Context) (WatchInterface, error) {
	resp, err := c.client.Watch(ctx, c.namespace)
	if err != nil {
		return nil, err
	}
	eventChan := make(chan Event)
	go func() {
		defer close(eventChan)
		for event := range resp.ResultChan() {
			if _, ok := event.Object.(*Status); !ok {
				event.Object = c.summarize(event.Object)
			}
			select {
			case eventChan <- event:
			case <-ctx.Done():
				return
			}
		}
	}()

	return &watcher{
		WatchInterface: resp,
		eventChan:      eventChan,
	}, nil
}

// reflector consumes a watch until its context ends.
func reflector(ctx context.Context, c *summaryResourceClient, handle func(Event)) error {
	w, err := c.Watch(ctx)
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case event, ok := <-w.ResultChan():
			if !ok {
				return nil
			}
			handle(event)
		}
	}
}
