// Package bug is a held-out kernel (issue 14): a method that takes the
// write lock, called on an error path while the caller holds the read lock.
//
// Upstream: DataDog/datadog-agent#39996 ("avoid causing deadlock in tagger subscription manager")
//
// Bug: Notify read-locks the manager while it delivers events; a subscriber
// whose channel is full is dropped by calling Unsubscribe, which write-locks
// the manager: the goroutine waits for its own read lock.
//
// Fix: Notify collects the subscribers to drop and unsubscribes them after
// releasing its lock.
package bug

import "sync"

const bufferSize = 1000

// EntityEvent is one tagger change.
type EntityEvent struct {
	EntityID string
	Tags     []string
}

// Subscriber receives the events of its prefixes.
type Subscriber struct {
	id       string
	prefixes []string
	ch       chan []EntityEvent
}

type subscriptionManager struct {
	mutex       sync.RWMutex
	subscribers map[string]*Subscriber
	prefixToSub map[string][]*Subscriber
}

// Subscribe registers a subscriber for the prefixes.
func (sm *subscriptionManager) Subscribe(id string, prefixes []string) chan []EntityEvent {
	sub := &Subscriber{id: id, prefixes: prefixes, ch: make(chan []EntityEvent, bufferSize)}
	sm.mutex.Lock()
	defer sm.mutex.Unlock()
	sm.subscribers[id] = sub
	for _, prefix := range prefixes {
		sm.prefixToSub[prefix] = append(sm.prefixToSub[prefix], sub)
	}
	return sub.ch
}

// Unsubscribe drops a subscriber and closes its channel.
func (sm *subscriptionManager) Unsubscribe(subscriptionID string) {
	sm.mutex.Lock() // heldout:site
	defer sm.mutex.Unlock()
	sub, found := sm.subscribers[subscriptionID]
	if !found {
		return
	}
	for _, prefix := range sub.prefixes {
		subs := sm.prefixToSub[prefix]
		for i, s := range subs {
			if s == sub {
				sm.prefixToSub[prefix] = append(subs[:i], subs[i+1:]...)
				break
			}
		}
	}
	delete(sm.subscribers, subscriptionID)
	close(sub.ch)
}

// Notify sends events to every subscriber of their prefix.
func (sm *subscriptionManager) Notify(events map[string][]EntityEvent) {
	sm.mutex.RLock()
	defer sm.mutex.RUnlock()
	for prefix, evs := range events {
		for _, sub := range sm.prefixToSub[prefix] {
			if len(sub.ch) >= bufferSize {
				sm.Unsubscribe(sub.id) // heldout:site
				continue
			}
			sub.ch <- evs
		}
	}
}
