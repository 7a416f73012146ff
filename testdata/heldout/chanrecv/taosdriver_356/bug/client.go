// Package bug is a held-out kernel (issue 14): the TDengine Go driver's
// websocket client recovers from the panic of sending on its closed send
// channel but still returns a nil error, so the TMQ consumer believes its
// request was queued and waits for ever on the envelope's ErrorChan,
// which only the (already stopped) write pump would send on.
//
// Upstream: taosdata/driver-go#356 ("fix: fix nil return to Send's caller after sendChan closes, resulting…")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Client.Close closes sendChan and only then marks the client
// stopped, so a Send racing with Close passes the IsRunning check and
// panics on the send; Send's deferred recover sets its local err to
// ClosedError, but the function's result is not named, so the caller
// gets nil. Consumer.sendText registers the request, calls Send and, on a
// nil error, receives from envelope.ErrorChan, on which the write pump
// reports the outcome of writing each envelope; the envelope never
// reached the pump, so nothing is ever sent. The thread quotes Send with
// a named result and the comment "Incorrectly returned nil"; the nil
// return it describes is what an unnamed result gives, which is how we
// write the version before the fix. The websocket connection is reduced
// to a Conn interface and the rest of sendText (waiting for the reply) is
// left out.
//
// Fix (taosdata/driver-go#356): Send's deferred recover sets the error
// it returns (a named result here), so sendText removes the request and
// returns ClosedError instead of waiting.
package bug

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
func (c *Client) Send(envelope *Envelope) error {
	if !c.IsRunning() {
		return ClosedError
	}
	var err error
	defer func() {
		// maybe closed
		if recover() != nil {
			err = ClosedError
			return // heldout:site
		}
	}()
	c.sendChan <- envelope
	return err
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
	err = <-envelope.ErrorChan // heldout:site
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
