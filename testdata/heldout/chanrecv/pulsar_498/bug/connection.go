// Package bug is a held-out kernel (issue 14): a range over a channel that
// is only closed after the range ends.
//
// Upstream: apache/pulsar-client-go#498 ("range channel causes deadlock")
// Seen: 891f139 (analyzer/chanblock's testdata reduces the same bug, pulsar-client-go#462/#473, found by a helper who had seen this kernel's name in the measurement's output)
//
// Bug: when the connection closes, it fails its pending requests by ranging
// over incomingRequestsCh and closes the channel after the loop; nothing
// else closes it, so once the buffered requests are drained the range
// blocks forever and the closing goroutine leaks.
//
// Fix: drain what is buffered without waiting (a select with default) and
// stop when the channel is empty.
package bug

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
	for req := range c.incomingRequestsCh { // heldout:site
		req.callback(errConnectionClosed)
	}
	close(c.incomingRequestsCh) // heldout:site
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
