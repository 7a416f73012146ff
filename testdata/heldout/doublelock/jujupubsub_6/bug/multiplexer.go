// Package bug is a held-out kernel (issue 14): a hub subscriber that
// multiplexes topics onto several handlers and holds its mutex while it
// calls them; a handler that publishes to the hub makes the hub ask the
// same multiplexer whether it matches, which locks the mutex again.
//
// Upstream: juju/pubsub#6 ("Fix the deadlock in the multiplexer")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: multiplexer.callback locks m.mu and, with it held, calls every
// matching output's handler. Publish on the hub runs each subscriber's
// matcher in the publishing goroutine, and the multiplexer's matcher,
// match, locks m.mu too; so a handler that publishes blocks forever on
// the mutex its own goroutine holds. The PR shows callback; the hub is
// our reduction.
//
// Fix: callback copies the outputs under the lock and calls the handlers
// after releasing it.
package bug

import "sync"

// Handler receives a published message.
type Handler func(topic string, data map[string]any)

type element struct {
	matcher func(topic string) bool
	handler Handler
}

type subscriber struct {
	match   func(topic string) bool
	deliver Handler
}

// Hub delivers published messages to matching subscribers.
type Hub struct {
	mu          sync.Mutex
	subscribers []subscriber
}

// Subscribe adds a subscriber.
func (h *Hub) Subscribe(match func(string) bool, deliver Handler) {
	h.mu.Lock()
	h.subscribers = append(h.subscribers, subscriber{match, deliver})
	h.mu.Unlock()
}

// Publish hands data to the subscribers whose matcher accepts topic.
func (h *Hub) Publish(topic string, data map[string]any) {
	h.mu.Lock()
	subs := append([]subscriber(nil), h.subscribers...)
	h.mu.Unlock()
	var targets []Handler
	for _, s := range subs {
		if s.match(topic) {
			targets = append(targets, s.deliver)
		}
	}
	for _, deliver := range targets {
		go deliver(topic, data)
	}
}

type multiplexer struct {
	mu      sync.Mutex
	outputs []element
}

// NewMultiplexer subscribes a multiplexer to hub.
func NewMultiplexer(hub *Hub) *multiplexer {
	m := &multiplexer{}
	hub.Subscribe(m.match, m.callback)
	return m
}

// Add adds a handler for the topics matcher accepts.
func (m *multiplexer) Add(matcher func(string) bool, handler Handler) {
	m.mu.Lock()
	m.outputs = append(m.outputs, element{matcher, handler})
	m.mu.Unlock()
}

func (m *multiplexer) callback(topic string, data map[string]any) {
	m.mu.Lock() // heldout:site
	defer m.mu.Unlock()
	for _, e := range m.outputs {
		if e.matcher(topic) {
			e.handler(topic, data) // heldout:site
		}
	}
}

func (m *multiplexer) match(topic string) bool {
	m.mu.Lock() // heldout:site
	defer m.mu.Unlock()
	for _, e := range m.outputs {
		if e.matcher(topic) {
			return true
		}
	}
	return false
}

// Republisher wires a handler that forwards one topic to another.
func Republisher(hub *Hub, from, to string) *multiplexer {
	m := NewMultiplexer(hub)
	m.Add(func(t string) bool { return t == from }, func(_ string, data map[string]any) {
		hub.Publish(to, data)
	})
	return m
}
