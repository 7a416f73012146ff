// Package bug is a held-out kernel (issue 14): the hub's Unsubscribe
// removes a subscription from the matcher but never closes the
// subscriber's channel, so a consumer ranging over the subscription's
// Receiver waits for ever after unsubscribing.
//
// Upstream: leandro-lugaresi/hub#12 ("close the internal state when Unsubscribe")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Subscribe and NonBlockingSubscribe wrap a subscriber (a channel of
// the given capacity; the blocking one sends, the non-blocking one drops
// and raises an alert when full) in a Subscription whose Receiver is that
// channel, and register it in the matcher. Publish looks up the
// subscribers of a topic and calls Set on each. The subscriber's Close
// closes the channel once. Unsubscribe, documented "remove and close the
// Subscription", only removes it from the matcher: nothing ever closes
// the channel, and the consumer's `for msg := range sub.Receiver` never
// ends. The PR: "We were unsubscribing but the internal channel was not
// being closed." The concurrent trie of topics is reduced to a map under
// a mutex with the same wildcard matching.
//
// Fix (leandro-lugaresi/hub#12): Unsubscribe also calls
// sub.subscriber.Close().
package bug

import (
	"strings"
	"sync"
)

// AlertTopic receives an alert when a non-blocking subscriber drops a
// message.
const AlertTopic = "hub.subscription.messageslost"

// Fields are a message's fields.
type Fields map[string]interface{}

// Message is a published message.
type Message struct {
	Name   string
	Fields Fields
}

// Topic returns the routing key.
func (m Message) Topic() string { return m.Name }

type subscriber interface {
	Set(msg Message)
	Ch() <-chan Message
	Close()
}

type alertFunc func(missed int)

type nonBlockingSubscriber struct {
	ch        chan Message
	alert     alertFunc
	onceClose sync.Once
}

func newNonBlockingSubscriber(cap int, alerter alertFunc) *nonBlockingSubscriber {
	if cap <= 0 {
		cap = 10
	}
	return &nonBlockingSubscriber{ch: make(chan Message, cap), alert: alerter}
}

// Set never blocks: when the buffer is full the message is dropped.
func (s *nonBlockingSubscriber) Set(msg Message) {
	select {
	case s.ch <- msg:
	default:
		s.alert(1)
	}
}

func (s *nonBlockingSubscriber) Ch() <-chan Message { return s.ch }

// Close closes the internal channel.
func (s *nonBlockingSubscriber) Close() {
	s.onceClose.Do(func() { close(s.ch) })
}

type blockingSubscriber struct {
	ch        chan Message
	onceClose sync.Once
}

func newBlockingSubscriber(cap int) *blockingSubscriber {
	if cap < 0 {
		cap = 0
	}
	return &blockingSubscriber{ch: make(chan Message, cap)}
}

// Set sends the message on the channel.
func (s *blockingSubscriber) Set(msg Message) { s.ch <- msg }

func (s *blockingSubscriber) Ch() <-chan Message { return s.ch }

// Close closes the internal channel.
func (s *blockingSubscriber) Close() {
	s.onceClose.Do(func() { close(s.ch) })
}

// Subscription is a subscription to some topics.
type Subscription struct {
	id         uint64
	Topics     []string
	Receiver   <-chan Message
	subscriber subscriber
}

type matcher struct {
	mu     sync.RWMutex
	nextID uint64
	subs   map[uint64]Subscription
}

func (m *matcher) Subscribe(topics []string, s subscriber) Subscription {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	sub := Subscription{id: m.nextID, Topics: topics, Receiver: s.Ch(), subscriber: s}
	if m.subs == nil {
		m.subs = make(map[uint64]Subscription)
	}
	m.subs[sub.id] = sub
	return sub
}

func (m *matcher) Unsubscribe(sub Subscription) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.subs, sub.id)
}

func (m *matcher) Lookup(topic string) []subscriber {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []subscriber
	for _, sub := range m.subs {
		for _, t := range sub.Topics {
			if matches(t, topic) {
				out = append(out, sub.subscriber)
				break
			}
		}
	}
	return out
}

// matches reports whether topic matches pattern, where "*" matches one
// dot-separated word.
func matches(pattern, topic string) bool {
	pw := strings.Split(pattern, ".")
	tw := strings.Split(topic, ".")
	if len(pw) != len(tw) {
		return false
	}
	for i := range pw {
		if pw[i] != "*" && pw[i] != tw[i] {
			return false
		}
	}
	return true
}

// Hub provides publish and subscribe for messages.
type Hub struct {
	matcher *matcher
}

// New creates an empty hub.
func New() *Hub {
	return &Hub{matcher: &matcher{}}
}

// Publish sends m to every subscriber of its topic.
func (h *Hub) Publish(m Message) {
	for _, sub := range h.matcher.Lookup(m.Topic()) {
		sub.Set(m)
	}
}

// Subscribe creates a blocking subscription.
func (h *Hub) Subscribe(cap int, topics ...string) Subscription {
	return h.matcher.Subscribe(topics, newBlockingSubscriber(cap))
}

// NonBlockingSubscribe creates a subscription that drops messages when
// its buffer is full.
func (h *Hub) NonBlockingSubscribe(cap int, topics ...string) Subscription {
	return h.matcher.Subscribe(topics, newNonBlockingSubscriber(cap, func(missed int) {
		h.Publish(Message{Name: AlertTopic, Fields: Fields{"missed": missed, "topic": topics}})
	}))
}

// Unsubscribe removes and closes the Subscription.
func (h *Hub) Unsubscribe(sub Subscription) {
	h.matcher.Unsubscribe(sub) // heldout:site
}

// watchAccounts consumes account events until it is unsubscribed.
func watchAccounts(h *Hub, handle func(Message), stop <-chan struct{}) {
	sub := h.NonBlockingSubscribe(100, "account.*")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range sub.Receiver { // heldout:site
			handle(msg)
		}
	}()
	<-stop
	h.Unsubscribe(sub)
	<-done // heldout:site
}
