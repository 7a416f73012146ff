// Package bug is a held-out kernel (issue 14): an AMQP consumer that asks
// the connection to notify it of a close on its connectionErrors channel,
// but whose constructor never made that channel; the consumer's loop
// waits on a nil channel for ever, and the connection's close
// notification blocks sending on it, so a broker hang-up is never seen.
//
// Upstream: carbonblack/cb-event-forwarder#175 ("CB-30713: Fixing NotifClose support in amqp consumer")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: Consumer.Connect dials and calls
// c.conn.NotifyClose(c.connectionErrors); the forwarder's loop selects
// on c.connectionErrors to reconnect. NewConsumer left connectionErrors
// nil. The PR thread: "because c.connectionErrors was left as null by
// this factory-method, the amqp connection had nobody to notify ...
// channel ops on a nil/null channel block forever". The streadway/amqp
// connection is reduced to a type whose shutdown sends the close error
// to each registered channel, as the library does.
//
// Fix: NewConsumer makes connectionErrors.
package bug

import (
	"errors"
	"sync"
)

// Error is an AMQP close reason.
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Connection is an AMQP connection.
type Connection struct {
	mu     sync.Mutex
	closes []chan *Error
	closed bool
}

// NotifyClose registers receiver for the connection's close error.
func (c *Connection) NotifyClose(receiver chan *Error) chan *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closes = append(c.closes, receiver)
	return receiver
}

// shutdown tells every registered receiver why the connection closed.
func (c *Connection) shutdown(err *Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	for _, ch := range c.closes {
		ch <- err // heldout:site
		close(ch)
	}
}

// Dialer opens connections.
type Dialer func(uri string) (*Connection, error)

// Consumer consumes the event queue.
type Consumer struct {
	conn             *Connection
	dialer           Dialer
	amqpURI          string
	queueName        string
	connectionErrors chan *Error
}

// NewConsumer returns an unconnected consumer.
func NewConsumer(amqpURI, queueName string, dialer Dialer) *Consumer {
	return &Consumer{ // heldout:site
		dialer:    dialer,
		amqpURI:   amqpURI,
		queueName: queueName,
	}
}

// Connect dials the broker and asks to be told when it hangs up.
func (c *Consumer) Connect() error {
	conn, err := c.dialer(c.amqpURI)
	if err != nil {
		return err
	}
	if conn == nil {
		return errors.New("no connection")
	}
	c.conn = conn
	c.conn.NotifyClose(c.connectionErrors)
	return nil
}

// Run consumes until the connection closes and returns its close error;
// the caller reconnects.
func (c *Consumer) Run(deliveries <-chan []byte, handle func([]byte)) error {
	if err := c.Connect(); err != nil {
		return err
	}
	for {
		select {
		case d := <-deliveries:
			handle(d)
		case closeErr := <-c.connectionErrors: // heldout:site
			if closeErr == nil {
				return nil
			}
			return closeErr
		}
	}
}
