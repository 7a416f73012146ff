// Package fixed is the fixed version of buffered/pranadb_245: the loop's
// error-response send never blocks.
package fixed

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
			select {
			case c.errRespChan <- errors.New(resp.Err):
			default:
				// Nobody is waiting for it; the request already failed.
			}
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
	c.loopExitWaitGroup.Wait()
	c.started = false
	return err
}
