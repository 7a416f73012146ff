// Package bug is a held-out kernel (issue 14): an event dispatcher whose
// single goroutine answers requests on unbuffered response channels that
// a timed-out caller no longer reads.
//
// Upstream: hyperledger/fabric-sdk-go#72 ("[FABG-962] Fix deadlock in event service")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: the event client talks to its dispatcher by submitting events that
// carry a response channel; the dispatcher's one goroutine handles each
// event and replies on that channel. The client's connect waits for the
// reply only up to its response timeout. When connecting to the peer
// takes longer, connect returns a timeout error, and the dispatcher then
// blocks forever on "evt.ErrCh <- err": it handles no more events, so
// block delivery, registrations and Stop all hang with it. The PR says
// only that the dispatcher could deadlock replying on a channel without a
// listener; which request and which caller is our reduction.
//
// Fix: the response channels are created with a buffer of one, so the
// dispatcher's reply never waits for the caller.
package bug

import (
	"errors"
	"time"
)

// Event is anything the dispatcher handles.
type Event any

// ConnectEvent asks the dispatcher to connect to the event service.
type ConnectEvent struct {
	ErrCh chan<- error
}

// RegisterBlockEvent registers a block event consumer.
type RegisterBlockEvent struct {
	Eventch chan<- []byte
	RegCh   chan<- int
	ErrCh   chan<- error
}

// StopEvent stops the dispatcher.
type StopEvent struct {
	ErrCh chan<- error
}

// Dispatcher owns the connection and the registrations.
type Dispatcher struct {
	eventch       chan Event
	connect       func() error
	registrations map[int]chan<- []byte
	nextReg       int
}

// Start runs the dispatcher's event loop.
func (ed *Dispatcher) Start() {
	ed.eventch = make(chan Event, 100)
	ed.registrations = make(map[int]chan<- []byte)
	go func() {
		for e := range ed.eventch {
			if ed.handle(e) {
				return
			}
		}
	}()
}

func (ed *Dispatcher) handle(e Event) (stop bool) {
	switch evt := e.(type) {
	case *ConnectEvent:
		err := ed.connect()
		evt.ErrCh <- err // heldout:site
	case *RegisterBlockEvent:
		ed.nextReg++
		ed.registrations[ed.nextReg] = evt.Eventch
		evt.RegCh <- ed.nextReg
	case *StopEvent:
		for id, ch := range ed.registrations {
			close(ch)
			delete(ed.registrations, id)
		}
		evt.ErrCh <- nil
		return true
	}
	return false
}

// Client is the event client.
type Client struct {
	dispatcher  *Dispatcher
	respTimeout time.Duration
}

// Submit hands an event to the dispatcher.
func (c *Client) Submit(e Event) {
	c.dispatcher.eventch <- e
}

func (c *Client) connect() error {
	errch := make(chan error)
	c.Submit(&ConnectEvent{ErrCh: errch})
	select {
	case err := <-errch:
		return err
	case <-time.After(c.respTimeout):
		return errors.New("timeout waiting for connection response") // heldout:site
	}
}

// RegisterBlockEvent registers for block events.
func (c *Client) RegisterBlockEvent() (int, <-chan []byte, error) {
	eventch := make(chan []byte, 10)
	regch := make(chan int)
	errch := make(chan error)
	c.Submit(&RegisterBlockEvent{Eventch: eventch, RegCh: regch, ErrCh: errch})
	select {
	case reg := <-regch:
		return reg, eventch, nil
	case err := <-errch:
		return 0, nil, err
	}
}
