// Package bug is a held-out kernel (issue 14): handlers that return an
// error between Lock and Unlock, leaking the connection's mutex.
//
// Upstream: wmnsk/go-m3ua#11 ("Fix a few deadlocks which caused by mutex lock leaking")
// Round: 2
//
// Bug: the ASP state handlers lock c.mu, check the state and return an
// error when the message is unexpected, without unlocking; the deferred
// unlock was not there. The next message, heartbeat or Close on the
// connection blocks on c.mu forever.
//
// Fix: each handler defers c.mu.Unlock (or unlocks before every return).
package bug

import (
	"errors"
	"sync"
)

// State is an ASP state.
type State int

const (
	StateAspDown State = iota
	StateAspInactive
	StateAspActive
)

// ErrUnexpectedMessage is returned for a message not valid in the state.
var ErrUnexpectedMessage = errors.New("unexpected message")

// Message is an M3UA message.
type Message interface{ MessageType() uint8 }

type aspUpAck struct{}

func (aspUpAck) MessageType() uint8 { return 4 }

type aspActiveAck struct{ trafficMode uint32 }

func (aspActiveAck) MessageType() uint8 { return 3 }

// Conn is an M3UA association.
type Conn struct {
	mu          sync.Mutex
	state       State
	trafficMode uint32
	established chan struct{}
	stateChan   chan State
	done        chan struct{}
}

func newConn() *Conn {
	c := &Conn{
		state:       StateAspDown,
		established: make(chan struct{}),
		stateChan:   make(chan State),
		done:        make(chan struct{}),
	}
	go c.monitor()
	return c
}

// monitor follows the ASP state changes until the association closes.
func (c *Conn) monitor() {
	for {
		select {
		case <-c.done:
			return
		case s := <-c.stateChan:
			c.onStateChange(s)
		}
	}
}

func (c *Conn) onStateChange(s State) {}

func (c *Conn) handleAspUpAck(ack *aspUpAck) error {
	c.mu.Lock()
	if c.state != StateAspDown {
		return ErrUnexpectedMessage // heldout:site
	}
	c.state = StateAspInactive
	c.mu.Unlock()
	select {
	case c.stateChan <- StateAspInactive:
	case <-c.done:
	}
	return nil
}

func (c *Conn) handleAspActiveAck(ack *aspActiveAck) error {
	c.mu.Lock()
	if c.state != StateAspInactive {
		return ErrUnexpectedMessage // heldout:site
	}
	c.state = StateAspActive
	c.trafficMode = ack.trafficMode
	c.mu.Unlock()
	close(c.established)
	return nil
}

func (c *Conn) handleSignals(m Message) error {
	switch msg := m.(type) {
	case *aspUpAck:
		return c.handleAspUpAck(msg)
	case *aspActiveAck:
		return c.handleAspActiveAck(msg)
	}
	return ErrUnexpectedMessage
}

// State returns the current ASP state.
func (c *Conn) State() State {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	return c.state
}
