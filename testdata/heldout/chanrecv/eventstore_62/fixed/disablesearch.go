// Package fixed is the fixed version of chanrecv/eventstore_62: the
// wrapper answers search filters with a closed channel, so the relay's
// range over it ends at once.
package fixed

import (
	"context"
	"strings"
	"sync"
)

// Event is a nostr event.
type Event struct {
	ID        string
	Kind      int
	Content   string
	CreatedAt int64
}

// Filter is a REQ filter.
type Filter struct {
	Kinds  []int
	Search string
	Limit  int
}

func (f Filter) matches(evt *Event) bool {
	if len(f.Kinds) > 0 {
		ok := false
		for _, k := range f.Kinds {
			if k == evt.Kind {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return f.Search == "" || strings.Contains(evt.Content, f.Search)
}

// Store is an event store.
type Store interface {
	SaveEvent(ctx context.Context, evt *Event) error
	QueryEvents(ctx context.Context, filter Filter) (chan *Event, error)
}

// MemoryStore keeps events in a slice.
type MemoryStore struct {
	mu     sync.RWMutex
	events []*Event
}

// SaveEvent stores evt.
func (m *MemoryStore) SaveEvent(ctx context.Context, evt *Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, evt)
	return nil
}

// QueryEvents streams the matching events and closes the channel.
func (m *MemoryStore) QueryEvents(ctx context.Context, filter Filter) (chan *Event, error) {
	m.mu.RLock()
	var matched []*Event
	for _, evt := range m.events {
		if filter.matches(evt) {
			matched = append(matched, evt)
			if filter.Limit > 0 && len(matched) == filter.Limit {
				break
			}
		}
	}
	m.mu.RUnlock()

	ch := make(chan *Event)
	go func() {
		defer close(ch)
		for _, evt := range matched {
			select {
			case ch <- evt:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// Wrapper disables search queries on the wrapped store.
type Wrapper struct {
	Store
}

var _ Store = (*Wrapper)(nil)

// QueryEvents answers search filters with no events.
func (w Wrapper) QueryEvents(ctx context.Context, filter Filter) (chan *Event, error) {
	if filter.Search != "" {
		ch := make(chan *Event)
		close(ch)
		return ch, nil
	}
	return w.Store.QueryEvents(ctx, filter)
}

// Relay serves REQ subscriptions from its store.
type Relay struct {
	Store Store
}

// handleRequest runs the filters of a REQ, sends the stored events and
// then EOSE.
func (rl *Relay) handleRequest(ctx context.Context, subID string, filters []Filter, send func(subID string, evt *Event), eose func(subID string)) error {
	for _, filter := range filters {
		ch, err := rl.Store.QueryEvents(ctx, filter)
		if err != nil {
			return err
		}
		for evt := range ch {
			send(subID, evt)
		}
	}
	eose(subID)
	return nil
}
