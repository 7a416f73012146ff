// Package bug is a held-out kernel (issue 14): an AMQP client closes the
// channels registered with NotifyClose when the connection shuts down, but
// a channel registered after the shutdown is only appended to the list
// and never closed, so whoever waits on it blocks for ever.
//
// Upstream: streadway/amqp#38 ("Close Notify* channels when the underlying object is already closed")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: Connection.NotifyClose(receiver) locks c.m and appends receiver to
// c.closes; shutdown (run once, from Close or from the frame reader on a
// transport error) sends the error to every registered receiver, then
// closes them all and the blocked listeners. Registering after that, as a
// reconnect watcher started late does, leaves the receiver in a list
// nobody walks again. The issue: "This will deadlock: conn := Open(...);
// conn.Close(); <-conn.NotifyClose(make(chan *Error))". The frame
// protocol and the channel (AMQP channel) objects are reduced to a
// transport interface; the watcher is our example of a caller.
//
// Fix: shutdown sets c.noNotify under the lock, and NotifyClose and
// NotifyBlocked close the receiver at once when it is set.
package bug

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned when the connection is already closed.
var ErrClosed = errors.New("amqp: connection already closed")

// Error is an AMQP connection exception.
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Blocking is a connection.blocked / unblocked notification.
type Blocking struct {
	Active bool
	Reason string
}

// Transport is the framed socket under the connection.
type Transport interface {
	ReadFrame() (method string, err error)
	WriteFrame(method string) error
	io.Closer
}

// Connection is an AMQP connection.
type Connection struct {
	destructor sync.Once
	m          sync.Mutex
	conn       Transport
	closes     []chan *Error
	blocks     []chan Blocking
	closed     int32
}

// Open starts the connection's frame reader.
func Open(conn Transport) *Connection {
	c := &Connection{conn: conn}
	go c.reader()
	return c
}

func (c *Connection) reader() {
	for {
		method, err := c.conn.ReadFrame()
		if err != nil {
			c.shutdown(&Error{Code: 501, Reason: err.Error()})
			return
		}
		if method == "connection.close" {
			c.shutdown(&Error{Code: 320, Reason: "CONNECTION_FORCED"})
			return
		}
	}
}

// NotifyClose registers a listener for close events; the channel is
// closed when the connection is closed.
func (c *Connection) NotifyClose(receiver chan *Error) chan *Error {
	c.m.Lock()
	defer c.m.Unlock()

	c.closes = append(c.closes, receiver) // heldout:site

	return receiver
}

// NotifyBlocked registers a listener for connection.blocked and
// connection.unblocked.
func (c *Connection) NotifyBlocked(receiver chan Blocking) chan Blocking {
	c.m.Lock()
	defer c.m.Unlock()

	c.blocks = append(c.blocks, receiver)

	return receiver
}

// IsClosed reports whether the connection has shut down.
func (c *Connection) IsClosed() bool {
	return atomic.LoadInt32(&c.closed) == 1
}

// Close asks the server to close the connection and shuts it down.
func (c *Connection) Close() error {
	if c.IsClosed() {
		return ErrClosed
	}
	defer c.shutdown(nil)
	return c.conn.WriteFrame("connection.close")
}

func (c *Connection) shutdown(err *Error) {
	atomic.StoreInt32(&c.closed, 1)

	c.destructor.Do(func() {
		c.m.Lock()
		defer c.m.Unlock()

		if err != nil {
			for _, c := range c.closes {
				c <- err
			}
		}

		c.conn.Close()

		for _, c := range c.closes {
			close(c)
		}
		for _, c := range c.blocks {
			close(c)
		}
	})
}

// watchClose is a caller that reconnects when the connection closes with
// an error.
func watchClose(c *Connection, reconnect func(*Error)) {
	if err, ok := <-c.NotifyClose(make(chan *Error, 1)); ok { // heldout:site
		reconnect(err)
	}
}
