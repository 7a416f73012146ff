// Package bug is a held-out kernel (issue 14): a lost wake-up in the
// Pulsar Go client's connection. waitUntilReady holds the connection's
// lock (the Cond's locker), sees that the state is not ready and calls
// cond.Wait; changeState stores the new state atomically and broadcasts
// without taking that lock, so the handshake goroutine can make the
// connection ready and broadcast between the waiter's check and its Wait.
// Nothing broadcasts again and the waiter sleeps for ever.
//
// Upstream: apache/pulsar-client-go#663 ("[Issue 662] Fix race in connection.go waitUntilReady()")
// Round: 15
//
// Bug: the PR: "[goroutine A] calls c.getState() and sees that it is not
// set to connectionReady; [goroutine B] changes the state to
// connectionReady; [goroutine B] sends a cond.Broadcast(), which goes
// nowhere because no goroutine is waiting; [goroutine A] calls
// cond.Wait(), which never completes." connection, its state accessors,
// changeState, doHandshake, start and waitUntilReady follow
// pulsar/internal/connection.go; the TCP connect and the CONNECT command
// exchange are our reduction to a callback.
//
// Fix: changeState takes the Cond's locker around the state change and
// the Broadcast, so the waiter's check-then-Wait cannot interleave with
// it (the later code's comment: "The lock is held here to prevent
// changeState() from calling cond.Broadcast() in the time between the
// state check and call to cond.Wait()").
package bug

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
	c.setState(s)
	c.cond.Broadcast() // heldout:site
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
		c.cond.Wait() // heldout:site
	}
	return nil
}

// Run opens a connection and waits for it to become ready.
func Run() error {
	c := newConnection(func() bool { return true })
	go c.start()
	return c.waitUntilReady()
}
