// Package fixed is the fixed version of chanrecv/taosdriver_356: Send
// returns ClosedError when its send on the closed channel panics, so the
// consumer does not wait for a write report that will never come.
package fixed

import (
	"container/list"
	"errors"
	"sync"
	"sync/atomic"
)

// ClosedError is returned by Send once the client is closed.
var ClosedError = errors.New("websocket connection closed")

const (
	StatusNormal = uint32(1)
	StatusStop   = uint32(2)
)

// Conn is the websocket connection.
type Conn interface {
	WriteMessage(messageType int, data []byte) error
	Close() error
}

// Envelope is one message to write, with the channel its write error is
// reported on.
type Envelope struct {
	Type      int
	Msg       []byte
	ErrorChan chan error
}

// Client is the websocket client.
type Client struct {
	conn     Conn
	status   uint32
	sendChan chan *Envelope
	once     sync.Once
}

// NewClient returns a client over conn; call WritePump in a goroutine.
func NewClient(conn Conn, sendChanLength uint) *Client {
	return &Client{conn: conn, status: StatusNormal, sendChan: make(chan *Envelope, sendChanLength)}
}

// WritePump writes the queued envelopes and reports each outcome.
func (c *Client) WritePump() {
	for message := range c.sendChan {
		err := c.conn.WriteMessage(message.Type, message.Msg)
		message.ErrorChan <- err
	}
	c.conn.Close()
}

// IsRunning reports whether the client has not been closed.
func (c *Client) IsRunning() bool {
	return atomic.LoadUint32(&c.status) == StatusNormal
}

// Send queues envelope for the write pump.
func (c *Client) Send(envelope *Envelope) (err error) {
	if !c.IsRunning() {
		return ClosedError
	}
	defer func() {
		// maybe closed
		if recover() != nil {
			err = ClosedError
		}
	}()
	c.sendChan <- envelope
	return nil
}

// Close stops the client.
func (c *Client) Close() {
	c.once.Do(func() {
		close(c.sendChan)
		atomic.StoreUint32(&c.status, StatusStop)
	})
}

// Consumer is the TMQ consumer.
type Consumer struct {
	client       *Client
	listLock     sync.Mutex
	sendChanList *list.List
}

// NewConsumer returns a consumer using client.
func NewConsumer(client *Client) *Consumer {
	return &Consumer{client: client, sendChanList: list.New()}
}

func (c *Consumer) sendText(reqID uint64, payload []byte) error {
	envelope := &Envelope{Type: 1, Msg: payload, ErrorChan: make(chan error, 1)}

	c.listLock.Lock()
	element := c.sendChanList.PushBack(reqID)
	c.listLock.Unlock()

	err := c.client.Send(envelope)
	if err != nil {
		c.listLock.Lock()
		c.sendChanList.Remove(element)
		c.listLock.Unlock()
		return err
	}
	err = <-envelope.ErrorChan
	if err != nil {
		c.listLock.Lock()
		c.sendChanList.Remove(element)
		c.listLock.Unlock()
		return err
	}
	return nil
}

// Poll asks the server for messages.
func (c *Consumer) Poll(reqID uint64) error {
	return c.sendText(reqID, []byte(`{"action":"poll"}`))
}

// Close closes the consumer's client.
func (c *Consumer) Close() {
	c.client.Close()
}
