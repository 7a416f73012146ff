// Package fixed is the fixed version of doublelock/datadog_39996: full
// subscribers are dropped after Notify releases its read lock.
package fixed

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
	sm.mutex.Lock()
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
	var full []string
	sm.mutex.RLock()
	for prefix, evs := range events {
		for _, sub := range sm.prefixToSub[prefix] {
			if len(sub.ch) >= bufferSize {
				full = append(full, sub.id)
				continue
			}
			sub.ch <- evs
		}
	}
	sm.mutex.RUnlock()
	for _, id := range full {
		sm.Unsubscribe(id)
	}
}
