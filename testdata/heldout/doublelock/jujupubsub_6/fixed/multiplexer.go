// Package fixed is the fixed version of doublelock/jujupubsub_6: the
// handlers run after the multiplexer's mutex is released.
package fixed

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
	// The handlers run arbitrary code, so the mutex is not held while
	// they run.
	m.mu.Lock()
	outputs := make([]element, len(m.outputs))
	copy(outputs, m.outputs)
	m.mu.Unlock()
	for _, e := range outputs {
		if e.matcher(topic) {
			e.handler(topic, data)
		}
	}
}

func (m *multiplexer) match(topic string) bool {
	m.mu.Lock()
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
