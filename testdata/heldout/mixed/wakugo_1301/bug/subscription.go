// Package bug is a held-out kernel (issue 14): a filter subscription
// whose SetClosing sends on an unbuffered Closing channel while holding
// the subscription's lock; the subscription's consumer, busy with a
// message, calls a method that read-locks the subscription before it
// gets back to receiving from Closing, and both wait for ever.
//
// Upstream: logos-messaging/logos-delivery-go#1301 ("fix: SetClosing no longer holds SubscriptionDetails lock across a potentially blocking channel send")
// Round: 7
//
// Bug: SetClosing did s.Lock(); defer s.Unlock(); if !s.Closed {
// s.Closed = true; s.Closing <- true }, with Closing made unbuffered in
// NewSubscription. The PR reports a deadlock seen when stress-testing the
// Status app's background/foreground cycles, triggered through
// ConnectionChanged. The consumer here (a loop over the subscription's
// envelope channel and its Closing channel that checks each envelope with
// isPartOf, which RLocks the subscription) is our reduction of the
// application side; the subscription map and peer handling are reduced.
//
// Fix: SetClosing marks the subscription closed under the lock and sends
// after unlocking, with a select/default so a stalled receiver cannot
// park it; Closing gets a buffer of one (one send per subscription).
package bug

import (
	"sync"
)

// Envelope is one received message.
type Envelope struct {
	PubsubTopic  string
	ContentTopic string
	Payload      []byte
}

// ContentFilter selects the envelopes a subscription wants.
type ContentFilter struct {
	PubsubTopic   string
	ContentTopics map[string]struct{}
}

// SubscriptionDetails is one filter subscription to a peer.
type SubscriptionDetails struct {
	sync.RWMutex
	ID            string
	PeerID        string
	ContentFilter ContentFilter
	C             chan *Envelope
	Closing       chan bool
	Closed        bool
	once          sync.Once
}

// NewSubscription returns an open subscription.
func NewSubscription(id, peerID string, cf ContentFilter) *SubscriptionDetails {
	return &SubscriptionDetails{
		ID:            id,
		PeerID:        peerID,
		ContentFilter: cf,
		C:             make(chan *Envelope, 1024),
		Closing:       make(chan bool),
	}
}

func (s *SubscriptionDetails) isPartOf(pubsubTopic, contentTopic string) bool {
	s.RLock() // heldout:site
	defer s.RUnlock()
	if s.ContentFilter.PubsubTopic != pubsubTopic {
		return false
	}
	_, ok := s.ContentFilter.ContentTopics[contentTopic]
	return ok
}

// CloseC closes the subscription's channels once.
func (s *SubscriptionDetails) CloseC() {
	s.once.Do(func() {
		s.Lock()
		defer s.Unlock()
		s.Closed = true
		close(s.C)
		close(s.Closing)
	})
}

// SetClosing tells the consumer that the subscription is going away.
func (s *SubscriptionDetails) SetClosing() {
	s.Lock()
	defer s.Unlock()
	if !s.Closed {
		s.Closed = true
		s.Closing <- true // heldout:site
	}
}

// consume delivers the subscription's envelopes until it is closing.
func consume(sub *SubscriptionDetails, deliver func(*Envelope), resubscribe func(*SubscriptionDetails)) {
	for {
		select {
		case env, ok := <-sub.C:
			if !ok {
				return
			}
			if sub.isPartOf(env.PubsubTopic, env.ContentTopic) {
				deliver(env)
			}
		case <-sub.Closing:
			resubscribe(sub)
			return
		}
	}
}

// ConnectionChanged marks every subscription closing when the node goes
// offline.
func ConnectionChanged(online bool, subs []*SubscriptionDetails) {
	if online {
		return
	}
	for _, s := range subs {
		s.SetClosing()
	}
}
