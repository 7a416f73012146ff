// Package fixed is the fixed version of chanrecv/cbeventforwarder_175:
// NewConsumer makes the channel the connection notifies on close.
package fixed

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
		ch <- err
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
	return &Consumer{
		dialer:           dialer,
		amqpURI:          amqpURI,
		queueName:        queueName,
		connectionErrors: make(chan *Error),
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
		case closeErr := <-c.connectionErrors:
			if closeErr == nil {
				return nil
			}
			return closeErr
		}
	}
}
