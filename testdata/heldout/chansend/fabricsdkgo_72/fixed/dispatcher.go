// Package fixed is the fixed version of chansend/fabricsdkgo_72: the
// response channels are buffered, so a late reply never blocks the
// dispatcher.
package fixed

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
		evt.ErrCh <- err
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
	errch := make(chan error, 1)
	c.Submit(&ConnectEvent{ErrCh: errch})
	select {
	case err := <-errch:
		return err
	case <-time.After(c.respTimeout):
		return errors.New("timeout waiting for connection response")
	}
}

// RegisterBlockEvent registers for block events.
func (c *Client) RegisterBlockEvent() (int, <-chan []byte, error) {
	eventch := make(chan []byte, 10)
	regch := make(chan int, 1)
	errch := make(chan error, 1)
	c.Submit(&RegisterBlockEvent{Eventch: eventch, RegCh: regch, ErrCh: errch})
	select {
	case reg := <-regch:
		return reg, eventch, nil
	case err := <-errch:
		return 0, nil, err
	}
}
