// Package fixed is the fixed version of lockheld/natsgo_1364: the early
// return unlocks the connection's mutex.
package fixed

import (
	"errors"
	"sync"
)

var errConnectionDraining = errors.New("nats: connection draining")

// Msg is a delivered message.
type Msg struct {
	Subject string
	Data    []byte
}

// Subscription receives messages for a subject.
type Subscription struct {
	Subject string
	mch     chan *Msg
}

// Conn is a client connection.
type Conn struct {
	mu       sync.Mutex
	ssid     int64
	subs     map[int64]*Subscription
	draining bool
}

// NewConn returns a connection with no subscriptions.
func NewConn() *Conn {
	return &Conn{subs: make(map[int64]*Subscription)}
}

// Subscribe registers a subscription on subject.
func (nc *Conn) Subscribe(subject string) (*Subscription, error) {
	nc.mu.Lock()
	if nc.draining {
		nc.mu.Unlock()
		return nil, errConnectionDraining
	}
	nc.ssid++
	sub := &Subscription{Subject: subject, mch: make(chan *Msg, 64)}
	nc.subs[nc.ssid] = sub
	nc.mu.Unlock()
	return sub, nil
}

// Drain starts draining the connection.
func (nc *Conn) Drain() {
	nc.mu.Lock()
	nc.draining = true
	nc.mu.Unlock()
}

// processMsg is called by the read loop for each message.
func (nc *Conn) processMsg(sid int64, m *Msg) {
	nc.mu.Lock()
	sub := nc.subs[sid]
	nc.mu.Unlock()
	if sub == nil {
		return
	}
	select {
	case sub.mch <- m:
	default:
	}
}
