// Package bug is a held-out kernel (issue 14): wrangler's summary client
// wraps a dynamic watch in a goroutine that summarizes each event and
// forwards it on an unbuffered channel; the forward is a plain send, so
// when the consumer (an informer) stops reading, the goroutine blocks on
// `eventChan <- event` for ever even after the watch's context is
// cancelled.
//
// Upstream: rancher/wrangler#661 ("Plug a goroutine leak.")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: summaryResourceClient.Watch starts the underlying watch, makes
// `eventChan := make(chan Event)` and starts a goroutine that ranges over
// resp.ResultChan(), replaces each object but a Status by its summary and
// does `eventChan <- event`; the returned watcher only overrides
// ResultChan. The issue (rancher/wrangler#652): "The goroutine blocks on
// `eventChan <- event` when the consumer (e.g., an informer) stops
// reading from the channel. Since there is no `select` with
// `ctx.Done()`, the goroutine can never exit", seen as thousands of
// goroutines in a 19-day cluster-agent profile. Our reduction: the
// Kubernetes watch interface, list options and summarizer become small
// local types; the informer is reduced to a consumer that stops reading
// when its context ends.
//
// Fix: the forward is `select { case eventChan <- event: case
// <-ctx.Done(): return }` (the applied suggestion from #652).
package bug

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
			eventChan <- event // heldout:site
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
			return ctx.Err() // heldout:site
		case event, ok := <-w.ResultChan():
			if !ok {
				return nil
			}
			handle(event)
		}
	}
}
