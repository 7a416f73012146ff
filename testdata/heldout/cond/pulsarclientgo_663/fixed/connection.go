// Package fixed is the fixed version of cond/pulsarclientgo_663:
// changeState holds the Cond's locker while it changes the state and
// broadcasts.
package fixed

import (
	"errors"
	"sync"
	"sync/atomic"
)

type connectionState int32

const (
	connectionInit connectionState = iota
	connectionConnecting
	connectionTCPConnected
	connectionReady
	connectionClosed
)

type connection struct {
	sync.Mutex
	cond  *sync.Cond
	state int32

	handshake func() bool
}

func newConnection(handshake func() bool) *connection {
	c := &connection{handshake: handshake}
	c.cond = sync.NewCond(c)
	return c
}

func (c *connection) getState() connectionState {
	return connectionState(atomic.LoadInt32(&c.state))
}

func (c *connection) setState(s connectionState) {
	atomic.StoreInt32(&c.state, int32(s))
}

func (c *connection) changeState(s connectionState) {
	c.Lock()
	c.setState(s)
	c.cond.Broadcast()
	c.Unlock()
}

func (c *connection) doHandshake() bool {
	if !c.handshake() {
		return false
	}
	c.changeState(connectionReady)
	return true
}

// start connects and performs the handshake.
func (c *connection) start() {
	c.changeState(connectionConnecting)
	c.changeState(connectionTCPConnected)
	if !c.doHandshake() {
		c.changeState(connectionClosed)
	}
}

func (c *connection) waitUntilReady() error {
	c.Lock()
	defer c.Unlock()

	for c.getState() != connectionReady {
		if c.getState() == connectionClosed {
			return errors.New("connection error")
		}
		// wait for a new connection state change
		c.cond.Wait()
	}
	return nil
}

// Run opens a connection and waits for it to become ready.
func Run() error {
	c := newConnection(func() bool { return true })
	go c.start()
	return c.waitUntilReady()
}
