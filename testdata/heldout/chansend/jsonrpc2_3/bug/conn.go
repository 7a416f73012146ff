// Package bug is a held-out kernel (issue 14): a JSON-RPC 2 connection
// whose Call registers a pending call with an unbuffered done channel,
// writes the request and then waits in a select for done or ctx.Done().
// When the context ends first, Call returns and nobody will receive from
// done; when the response arrives later, the connection's single
// readMessages goroutine blocks for ever sending on it, and with it every
// other call and request on the connection.
//
// Upstream: sourcegraph/jsonrpc2#3 ("make call.done channel buffered")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the review thread: "if ctx.Done() below triggers first (ie a
// timeout occurs), we still end up waiting for done to respond", and the
// author: "On timeout, call.done will still get some value and be closed
// eventually. That's exactly the goroutine leak that we see." Reduced from
// jsonrpc2.go: Conn with its pending map under mu, a sending mutex, the
// object stream, the reader goroutine that matches responses to pending
// calls and sends the result on call.done before closing it, and close()
// which closes every pending done. JSON encoding and the handler side are
// reduced to small interfaces.
//
// Fix: the call's done channel is made with a buffer of one (`make(chan
// error, 1)`), so the reader's send never waits for Call.
package bug

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
)

// ErrClosed is returned for calls on a closed connection.
var ErrClosed = errors.New("jsonrpc2: connection is closed")

// ID is a request id.
type ID uint64

// Request is a JSON-RPC request.
type Request struct {
	Method string
	Params *json.RawMessage
	ID     ID
}

// Error is a JSON-RPC error object.
type Error struct {
	Code    int64
	Message string
}

func (e *Error) Error() string { return e.Message }

// Response is a JSON-RPC response.
type Response struct {
	ID     ID
	Result *json.RawMessage
	Error  *Error
}

type anyMessage struct {
	request  *Request
	response *Response
}

// ObjectStream reads and writes whole messages.
type ObjectStream interface {
	WriteObject(obj interface{}) error
	ReadObject(v interface{}) error
	Close() error
}

// Handler handles incoming requests.
type Handler interface {
	Handle(ctx context.Context, conn *Conn, req *Request)
}

type call struct {
	request  *Request
	response *Response
	seq      uint64
	done     chan error
}

// Conn is a JSON-RPC client/server connection.
type Conn struct {
	stream ObjectStream
	h      Handler

	mu       sync.Mutex
	shutdown bool
	closing  bool
	seq      uint64
	pending  map[ID]*call

	sending    sync.Mutex
	disconnect chan struct{}
}

// NewConn starts reading messages from stream.
func NewConn(ctx context.Context, stream ObjectStream, h Handler) *Conn {
	c := &Conn{
		stream:     stream,
		h:          h,
		pending:    map[ID]*call{},
		disconnect: make(chan struct{}),
	}
	go c.readMessages(ctx)
	return c
}

// Close closes the connection and every pending call.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.shutdown || c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	c.closing = true
	c.mu.Unlock()
	return c.stream.Close()
}

func (c *Conn) send(m *anyMessage, wait bool) (*call, error) {
	c.sending.Lock()
	defer c.sending.Unlock()

	var cc *call
	c.mu.Lock()
	if c.shutdown || c.closing {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if m.request != nil && wait {
		cc = &call{request: m.request, seq: c.seq, done: make(chan error)} // heldout:site
		m.request.ID = ID(c.seq)
		c.seq++
		c.pending[m.request.ID] = cc
	}
	c.mu.Unlock()

	if err := c.stream.WriteObject(m); err != nil {
		if cc != nil {
			c.mu.Lock()
			delete(c.pending, m.request.ID)
			c.mu.Unlock()
		}
		return nil, err
	}
	return cc, nil
}

// Call sends a request and waits for its response, or for ctx to end.
func (c *Conn) Call(ctx context.Context, method string, params, result interface{}) error {
	req := &Request{Method: method}
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return err
		}
		raw := json.RawMessage(b)
		req.Params = &raw
	}
	call, err := c.send(&anyMessage{request: req}, true)
	if err != nil {
		return err
	}
	select {
	case err, ok := <-call.done:
		if !ok {
			err = ErrClosed
		}
		if err != nil {
			return err
		}
		if result != nil && call.response.Result != nil {
			return json.Unmarshal(*call.response.Result, result)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err() // heldout:site
	}
}

func (c *Conn) readMessages(ctx context.Context) {
	var err error
	for err == nil {
		var m anyMessage
		err = c.stream.ReadObject(&m)
		if err != nil {
			break
		}
		switch {
		case m.request != nil:
			c.h.Handle(ctx, c, m.request)
		case m.response != nil:
			resp := m.response
			c.mu.Lock()
			call := c.pending[resp.ID]
			delete(c.pending, resp.ID)
			c.mu.Unlock()
			if call == nil {
				continue
			}
			call.response = resp
			if resp.Error != nil {
				call.done <- resp.Error // heldout:site
			} else {
				call.done <- nil // heldout:site
			}
			close(call.done)
		}
	}

	c.sending.Lock()
	c.mu.Lock()
	c.shutdown = true
	for _, call := range c.pending {
		close(call.done)
	}
	c.mu.Unlock()
	c.sending.Unlock()
	close(c.disconnect)
}

// DisconnectNotify is closed when the connection is gone.
func (c *Conn) DisconnectNotify() <-chan struct{} { return c.disconnect }
