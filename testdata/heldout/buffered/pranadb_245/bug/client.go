// Package bug is a held-out kernel (issue 14): a cluster RPC client
// whose message loop reports error responses on a one-slot channel;
// when a second error response arrives while the client is closing and
// nobody reads that channel, the loop blocks on the send, and Close,
// which waits for the loop to exit, waits for ever.
//
// Upstream: cashapp/pranadb#245 ("Fixes deadlock in response channel error response")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: the PR: "the error response channel was of size 1 so if another
// error response came back while the client was being closed, it would
// block attempting to write to the error response channel which meant
// the message loop never exited and the client wouldn't close as close
// waits for message loop to exit." The thread gives the bug but not the
// code: the client, its loop over a response reader and its Close
// (close the connection, wait on loopExitWaitGroup) are our reduction,
// as is the dropping of unwaited ordinary responses.
//
// Fix (our reading of the PR): the loop's send of an error response
// does not block; if the slot is taken, the error is dropped, the
// request it answers has already failed.
package bug

import (
	"errors"
	"io"
	"sync"
)

// Response is one response frame from the server.
type Response struct {
	RequestID int64
	Err       string
	Body      []byte
}

// Conn is the connection to the server.
type Conn interface {
	ReadResponse() (*Response, error)
	Close() error
}

// Client sends requests to one server and reads its responses.
type Client struct {
	lock              sync.Mutex
	conn              Conn
	started           bool
	respChan          chan *Response
	errRespChan       chan error
	loopExitWaitGroup sync.WaitGroup
}

// NewClient wraps a connection.
func NewClient(conn Conn) *Client {
	return &Client{conn: conn, respChan: make(chan *Response, 1), errRespChan: make(chan error, 1)}
}

// Start runs the message loop.
func (c *Client) Start() {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.loopExitWaitGroup.Add(1)
	go c.readLoop()
	c.started = true
}

func (c *Client) readLoop() {
	defer c.loopExitWaitGroup.Done()
	for {
		resp, err := c.conn.ReadResponse()
		if err != nil {
			if err == io.EOF {
				return
			}
			return
		}
		if resp.Err != "" {
			c.errRespChan <- errors.New(resp.Err) // heldout:site
			continue
		}
		select {
		case c.respChan <- resp:
		default:
			// A response nobody waits for any more is dropped.
		}
	}
}

// SendRequest waits for the response to a request already written.
func (c *Client) SendRequest() (*Response, error) {
	select {
	case resp := <-c.respChan:
		return resp, nil
	case err := <-c.errRespChan:
		return nil, err
	}
}

// Stop closes the connection and waits for the loop to exit.
func (c *Client) Stop() error {
	c.lock.Lock()
	defer c.lock.Unlock()
	if !c.started {
		return nil
	}
	err := c.conn.Close()
	c.loopExitWaitGroup.Wait() // heldout:site
	c.started = false
	return err
}
