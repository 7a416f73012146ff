// Package fixed is the fixed version of lockheld/gom3ua_11: the error
// returns release c.mu.
package fixed

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
		c.mu.Unlock()
		return ErrUnexpectedMessage
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
		c.mu.Unlock()
		return ErrUnexpectedMessage
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
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}
