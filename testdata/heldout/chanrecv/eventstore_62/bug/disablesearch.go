// Package bug is a held-out kernel (issue 14): the eventstore wrapper that
// disables NIP-50 search answers a search filter with a nil channel and
// no error, and the relay's REQ handler, which ranges over the channel a
// store returns, blocks for ever on it: the subscription never gets its
// EOSE and the handler goroutine leaks.
//
// Upstream: fiatjaf/eventstore#62 ("Fix disabled search queries")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: disablesearch.Wrapper embeds a Store and overrides QueryEvents:
// for a filter with a Search term it returns (nil, nil), otherwise it
// delegates. A store's QueryEvents returns a channel that a goroutine
// fills with the matching events and closes; the relay's handleRequest
// (khatru's, reduced here) runs one query per filter, ranges over each
// channel to send the events to the client, and then sends EOSE. A range
// over the nil channel from the wrapper never ends. The PR: "Disabled
// search queries returned a nil channel with no error, which can block
// callers that range over the result." The in-memory store and the
// websocket are our reduction (a slice and a send callback).
//
// Fix (fiatjaf/eventstore#62): the wrapper returns a channel it has
// already closed, so callers get an empty result at once.
package bug

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
		return nil, nil // heldout:site
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
		for evt := range ch { // heldout:site
			send(subID, evt)
		}
	}
	eose(subID)
	return nil
}
