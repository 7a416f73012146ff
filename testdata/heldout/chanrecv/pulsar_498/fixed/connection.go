// Package fixed is the fixed version of chanrecv/pulsar_498: the pending
// requests are drained without waiting for more.
package fixed

import (
	"errors"
	"sync"
)

var errConnectionClosed = errors.New("connection closed")

type request struct {
	id       uint64
	callback func(error)
}

type connection struct {
	sync.Mutex
	state              int
	incomingRequestsCh chan *request
	closeCh            chan struct{}
	listeners          map[uint64]func()
}

const connectionClosed = 2

func (c *connection) Close() {
	c.Lock()
	if c.state == connectionClosed {
		c.Unlock()
		return
	}
	c.state = connectionClosed
	close(c.closeCh)
	listeners := c.listeners
	c.listeners = nil
	c.Unlock()

	for _, l := range listeners {
		l()
	}
	for {
		select {
		case req := <-c.incomingRequestsCh:
			req.callback(errConnectionClosed)
		default:
			return
		}
	}
}

// SendRequest queues a request for the connection's writer.
func (c *connection) SendRequest(id uint64, callback func(error)) {
	select {
	case <-c.closeCh:
		callback(errConnectionClosed)
	case c.incomingRequestsCh <- &request{id: id, callback: callback}:
	}
}

func newConnection() *connection {
	return &connection{
		incomingRequestsCh: make(chan *request, 10),
		closeCh:            make(chan struct{}),
		listeners:          map[uint64]func(){},
	}
}
