// Package bug is a held-out kernel (issue 14): the Go SDK of an event
// engine whose read loop, when the engine's socket reaches EOF, closes the
// client's message stream while holding the client's mutex; closing the
// stream runs, synchronously, the onClose callback that subscribe
// registered, which locks the client's mutex again. The read loop blocks
// on itself, and the primitive's main goroutine, closing the client on its
// way out, then blocks on the client mutex the read loop holds.
//
// Upstream: Govcraft/emergent#50 ("Go SDK deadlocks when the engine connection drops: stream closed while holding c.mu")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the SIGQUIT dump: subscribeInternal.func1 (the onClose
// callback, wants c.mu) <- MessageStream.Close <- baseClient.readLoop
// (holds c.mu). "the EOF path in readLoop and handleShutdown both call
// c.messageStream.Close() while holding c.mu ... sync.Mutex is not
// reentrant. close() already avoids this by detaching the stream under the
// lock and closing it after unlocking." In the dump the main goroutine
// waits in MessageStream.Close on the stream mutex; here the stream's
// Close runs onClose after releasing that mutex, as it does since the
// companion fix for #61 (a lock-order inversion between it and c.mu), so
// that the kernel holds this one bug, and the main goroutine waits in
// close on c.mu instead. The wire format (length-prefixed msgpack frames)
// is reduced to newline-separated "type payload" lines, and the
// pending-request maps to one.
//
// Fix (commit e3ae2a5): both paths detach the stream under c.mu, release
// the lock, and only then close it; handleShutdown hands the detached
// stream back to processFrames, which closes it after unlocking.
package bug

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// EmergentMessage is one message delivered to a subscriber.
type EmergentMessage struct {
	MessageType string
	Payload     string
}

// MessageStream delivers subscribed messages on a channel.
type MessageStream struct {
	ch      chan *EmergentMessage
	closed  bool
	mu      sync.Mutex
	onClose func()
}

func newMessageStream(bufSize int, onClose func()) *MessageStream {
	return &MessageStream{ch: make(chan *EmergentMessage, bufSize), onClose: onClose}
}

// C returns the channel of messages; it is closed when the stream ends.
func (s *MessageStream) C() <-chan *EmergentMessage { return s.ch }

// Close closes the stream and runs its onClose callback.
func (s *MessageStream) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.ch)
	s.mu.Unlock()
	if s.onClose != nil {
		s.onClose() // heldout:site
	}
}

// push delivers msg unless the stream is closed or full.
func (s *MessageStream) push(msg *EmergentMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.ch <- msg:
	default:
	}
}

type baseClient struct {
	kind string
	conn net.Conn

	mu              sync.Mutex
	disposed        bool
	readBuffer      []byte
	pendingRequests map[string]chan string
	messageStream   *MessageStream

	readCancel context.CancelFunc
	readDone   chan struct{}
}

func newBaseClient(kind string, conn net.Conn) *baseClient {
	c := &baseClient{kind: kind, conn: conn, pendingRequests: map[string]chan string{}, readDone: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	c.readCancel = cancel
	go c.readLoop(ctx)
	return c
}

// subscribeInternal opens the client's message stream.
func (c *baseClient) subscribeInternal(types []string) (*MessageStream, error) {
	c.mu.Lock()
	if c.disposed {
		c.mu.Unlock()
		return nil, errors.New("client disposed")
	}
	c.mu.Unlock()

	stream := newMessageStream(256, func() {
		c.mu.Lock() // heldout:site
		if c.messageStream != nil {
			c.messageStream = nil
		}
		c.mu.Unlock()
	})
	c.mu.Lock()
	c.messageStream = stream
	c.mu.Unlock()
	if _, err := c.conn.Write([]byte("subscribe " + strings.Join(types, ",") + "\n")); err != nil {
		stream.Close()
		return nil, err
	}
	return stream, nil
}

func (c *baseClient) readLoop(ctx context.Context) {
	defer close(c.readDone)
	buf := make([]byte, 4096)
	for {
		select {
		case <-ctx.Done():
			return
		default:
		}
		c.mu.Lock()
		conn := c.conn
		c.mu.Unlock()
		if conn == nil {
			return
		}
		if err := conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond)); err != nil {
			return
		}
		n, err := conn.Read(buf)
		if err != nil {
			var netErr net.Error
			if errors.As(err, &netErr) && netErr.Timeout() {
				continue
			}
			if ctx.Err() != nil {
				return
			}
			// Close the message stream on EOF.
			c.mu.Lock()
			if c.messageStream != nil {
				c.messageStream.Close() // heldout:site
				c.messageStream = nil
			}
			c.mu.Unlock()
			return
		}
		c.mu.Lock()
		c.readBuffer = append(c.readBuffer, buf[:n]...)
		c.mu.Unlock()
		c.processFrames()
	}
}

func (c *baseClient) processFrames() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		i := bytes.IndexByte(c.readBuffer, '\n')
		if i < 0 {
			return
		}
		line := string(c.readBuffer[:i])
		c.readBuffer = c.readBuffer[i+1:]
		msgType, payload, _ := strings.Cut(line, " ")
		c.handlePush(msgType, payload)
	}
}

// handlePush routes one pushed message; c.mu is held.
func (c *baseClient) handlePush(msgType, payload string) {
	switch msgType {
	case "system.shutdown":
		c.handleShutdown(payload)
	case "response":
		id, body, _ := strings.Cut(payload, " ")
		if ch, ok := c.pendingRequests[id]; ok {
			delete(c.pendingRequests, id)
			select {
			case ch <- body:
			default:
			}
		}
	default:
		if c.messageStream != nil {
			c.messageStream.push(&EmergentMessage{MessageType: msgType, Payload: payload})
		}
	}
}

// handleShutdown closes the stream when the engine shuts this kind down;
// c.mu is held.
func (c *baseClient) handleShutdown(kind string) {
	if strings.EqualFold(kind, c.kind) {
		if c.messageStream != nil {
			c.messageStream.Close() // heldout:site
			c.messageStream = nil
		}
	}
}

// close disconnects, detaching the stream under the lock and closing it
// after unlocking.
func (c *baseClient) close() error {
	c.mu.Lock() // heldout:site
	if c.disposed {
		c.mu.Unlock()
		return nil
	}
	c.readCancel()
	stream := c.messageStream
	c.messageStream = nil
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
	c.disposed = true
	c.mu.Unlock()
	if stream != nil {
		stream.Close()
	}
	select {
	case <-c.readDone:
	case <-time.After(2 * time.Second):
	}
	return nil
}

// RunSink subscribes and hands every message to handle until the stream
// ends.
func RunSink(conn net.Conn, types []string, handle func(*EmergentMessage)) error {
	c := newBaseClient("sink", conn)
	defer c.close()
	stream, err := c.subscribeInternal(types)
	if err != nil {
		return err
	}
	defer stream.Close()
	for msg := range stream.C() {
		handle(msg)
	}
	return nil
}
