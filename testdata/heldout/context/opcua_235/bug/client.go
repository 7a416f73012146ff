// Package bug is a development kernel (issue 14): a client starts a
// monitor goroutine on the context Dial was given and has no way of its
// own to stop it; Close closes the channel under it but the monitor keeps
// waiting on that context, which, for Connect(nil, ...) and the usual
// context.Background(), is never done.
//
// Upstream: gopcua/opcua#235 ("improved cancellation of monitorChannel() goroutine")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper ctx to tune the analyzers; not a blind measure)
//
// Bug: Connect replaces a nil ctx with context.Background() and calls
// Dial, which opens the secure channel and starts `go c.monitorChannel(ctx)`.
// The monitor loops on sechan.Receive(ctx), which waits for the next
// unsolicited message or for ctx to be done. Close closes the session and
// the secure channel but cannot stop the monitor, and a Dial whose Open
// fails leaves it running too: "monitorChannel() currently relies on the
// Receive returning an error to exit but if that doesn't occur for any
// reason, monitorChannel() may remain executing." Upstream's Receive spins
// on a closed connection's read errors; here the secure channel's reader is
// reduced to a channel of messages that stops being fed when the channel is
// closed, so the monitor parks in Receive's select.
//
// Fix: Dial derives ctx, c.cancelMonitor = context.WithCancel(ctx) for the
// monitor; Dial's failure path and Close call c.cancelMonitor.
package bug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"sync"
)

// Response is one message from the server.
type Response struct {
	ReqID uint32
	V     interface{}
	Err   error
}

// Transport is the OPC UA connection protocol layer.
type Transport interface {
	// ReadMessage blocks for the next message; it fails once closed.
	ReadMessage() (Response, error)
	WriteMessage(v interface{}) error
	Close() error
}

// SecureChannel is an open secure channel over a transport.
type SecureChannel struct {
	t        Transport
	msgs     chan Response
	stopOnce sync.Once
	stop     chan struct{}
}

// NewSecureChannel wraps t and starts its reader.
func NewSecureChannel(t Transport) *SecureChannel {
	s := &SecureChannel{t: t, msgs: make(chan Response), stop: make(chan struct{})}
	go s.readLoop()
	return s
}

func (s *SecureChannel) readLoop() {
	for {
		r, err := s.t.ReadMessage()
		if err != nil {
			return
		}
		select {
		case s.msgs <- r:
		case <-s.stop:
			return
		}
	}
}

// Open sends OpenSecureChannelRequest.
func (s *SecureChannel) Open() error {
	return s.t.WriteMessage("OpenSecureChannelRequest")
}

// Receive returns the next unsolicited message, or io.EOF once ctx is done.
func (s *SecureChannel) Receive(ctx context.Context) Response {
	select { // heldout:site
	case <-ctx.Done():
		return Response{Err: io.EOF}
	case r := <-s.msgs:
		return r
	}
}

// Close closes the channel and its transport.
func (s *SecureChannel) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	if err := s.t.Close(); err != nil && err != io.EOF {
		log.Printf("failed to close transport: %s", err)
	}
	return io.EOF
}

// Client is a high-level OPC UA client.
type Client struct {
	endpointURL string
	dial        func(ctx context.Context, endpoint string) (Transport, error)

	sechan *SecureChannel

	mu      sync.Mutex
	session interface{}
}

// NewClient returns a client for endpoint.
func NewClient(endpoint string, dial func(ctx context.Context, endpoint string) (Transport, error)) *Client {
	return &Client{endpointURL: endpoint, dial: dial}
}

// Connect opens the secure channel and a session.
func (c *Client) Connect(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.sechan != nil {
		return fmt.Errorf("already connected")
	}
	if err := c.Dial(ctx); err != nil {
		return err
	}
	if err := c.createSession(); err != nil {
		_ = c.Close()
		return err
	}
	return nil
}

// Dial opens the secure channel.
func (c *Client) Dial(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.sechan != nil {
		return fmt.Errorf("secure channel already connected")
	}
	conn, err := c.dial(ctx, c.endpointURL)
	if err != nil {
		return err
	}
	c.sechan = NewSecureChannel(conn)
	go c.monitorChannel(ctx) // heldout:site

	if err := c.sechan.Open(); err != nil {
		_ = conn.Close()
		c.sechan = nil
		return err
	}
	return nil
}

func (c *Client) monitorChannel(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			msg := c.sechan.Receive(ctx)
			if msg.Err != nil {
				if msg.Err != io.EOF {
					log.Printf("received error: %s", msg.Err)
				}
				return
			}
			log.Printf("received unsolicited message from server: %T", msg.V)
		}
	}
}

func (c *Client) createSession() error {
	if err := c.sechan.t.WriteMessage("CreateSessionRequest"); err != nil {
		return err
	}
	c.mu.Lock()
	c.session = struct{}{}
	c.mu.Unlock()
	return nil
}

// CloseSession closes the active session.
func (c *Client) CloseSession() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return errors.New("no session")
	}
	c.session = nil
	return c.sechan.t.WriteMessage("CloseSessionRequest")
}

// Close closes the session and the secure channel.
func (c *Client) Close() error {
	_ = c.CloseSession()
	return c.sechan.Close()
}
