// Package fixed is the fixed version of mixed/wakugo_1301: SetClosing
// sends after unlocking, without blocking, into a one-slot channel.
package fixed

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
		Closing:       make(chan bool, 1),
	}
}

func (s *SubscriptionDetails) isPartOf(pubsubTopic, contentTopic string) bool {
	s.RLock()
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
	if s.Closed {
		s.Unlock()
		return
	}
	s.Closed = true
	s.Unlock()
	select {
	case s.Closing <- true:
	default:
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
