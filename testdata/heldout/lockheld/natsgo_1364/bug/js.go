// Package bug is a held-out kernel (issue 14): a client method that locks
// the connection's mutex and returns on an error without unlocking it, so
// the next call that needs the mutex blocks forever.
//
// Upstream: nats-io/nats.go#1364 ("Fix deadlock caused by locked mutex")
// Round: 5
//
// Bug: the PR says "Mutex must be unlocked on return from function": a
// method of the client took nc.mu and one of its returns left it locked.
// Which method and which return is our reduction: here the subscription
// path locks nc.mu, finds the connection draining and returns an error
// with nc.mu held, and the read loop's next message dispatch blocks in
// Lock.
//
// Fix: the early return unlocks nc.mu.
package bug

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
		return nil, errConnectionDraining // heldout:site
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
	nc.mu.Lock() // heldout:site
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
