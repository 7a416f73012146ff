// Package bug is a held-out kernel (issue 14): a node channel whose
// receiver holds the stream's read lock across a blocking RecvMsg, while
// the sender, having seen the stream break, waits for the write lock to
// reconnect.
//
// Upstream: relab/gorums#235 ("bug: deadlock in channel.go")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: receiver read-locks streamMut and calls RecvMsg on the stream.
// When the server crashes the stream breaks, and RecvMsg can block for
// good waiting for data that never comes. The sender notices the broken
// stream when a send fails and calls reconnect, which takes streamMut's
// write lock and so waits for the receiver's read lock forever; every
// later request queues behind it. The issue gives this analysis; the
// stream and client interfaces are our reduction of channel.go.
//
// Fix: the author redesigned the channel. The fixed version here
// is our simplification of that: the receiver takes the current stream
// under the read lock and releases it before calling RecvMsg.
package bug

import (
	"context"
	"sync"
	"sync/atomic"
)

// Message is a request or a response.
type Message struct {
	MsgID  uint64
	Method string
	Data   []byte
}

// NodeStream is the bidirectional stream to one node.
type NodeStream interface {
	SendMsg(m *Message) error
	RecvMsg(m *Message) error
}

// GorumsClient opens node streams.
type GorumsClient interface {
	NodeStream(ctx context.Context) (NodeStream, error)
}

type request struct {
	ctx context.Context
	msg *Message
}

type response struct {
	msg *Message
	err error
}

type channel struct {
	sendQ        chan request
	gorumsClient GorumsClient
	parentCtx    context.Context

	streamMut    sync.RWMutex
	gorumsStream NodeStream
	streamBroken atomic.Bool

	mu        sync.Mutex
	lastError error

	responseMut     sync.Mutex
	responseRouters map[uint64]chan<- response
}

func newChannel(ctx context.Context, client GorumsClient, stream NodeStream) *channel {
	c := &channel{
		sendQ:           make(chan request, 16),
		gorumsClient:    client,
		parentCtx:       ctx,
		gorumsStream:    stream,
		responseRouters: make(map[uint64]chan<- response),
	}
	go c.sender()
	go c.receiver()
	return c
}

func (c *channel) setLastErr(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastError = err
}

func (c *channel) routeResponse(msgID uint64, resp response) {
	c.responseMut.Lock()
	defer c.responseMut.Unlock()
	if router, ok := c.responseRouters[msgID]; ok {
		delete(c.responseRouters, msgID)
		router <- resp
	}
}

func (c *channel) sendMsg(req request) error {
	c.streamMut.RLock()
	defer c.streamMut.RUnlock()
	return c.gorumsStream.SendMsg(req.msg)
}

func (c *channel) sender() {
	for {
		var req request
		select {
		case <-c.parentCtx.Done():
			return
		case req = <-c.sendQ:
		}
		if c.streamBroken.Load() {
			c.reconnect()
		}
		if err := c.sendMsg(req); err != nil {
			c.setLastErr(err)
			c.streamBroken.Store(true)
			c.routeResponse(req.msg.MsgID, response{err: err})
		}
	}
}

func (c *channel) receiver() {
	for {
		resp := &Message{}
		c.streamMut.RLock()
		err := c.gorumsStream.RecvMsg(resp) // heldout:site
		if err != nil {
			c.streamBroken.Store(true)
			c.streamMut.RUnlock()
			c.setLastErr(err)
			c.reconnect()
		} else {
			c.streamMut.RUnlock()
			c.routeResponse(resp.MsgID, response{msg: resp})
		}
		select {
		case <-c.parentCtx.Done():
			return
		default:
		}
	}
}

// reconnect replaces a broken stream.
func (c *channel) reconnect() {
	c.streamMut.Lock() // heldout:site
	defer c.streamMut.Unlock()
	if !c.streamBroken.Load() {
		return
	}
	stream, err := c.gorumsClient.NodeStream(c.parentCtx)
	if err != nil {
		c.setLastErr(err)
		return
	}
	c.gorumsStream = stream
	c.streamBroken.Store(false)
}

func (c *channel) deleteRouter(msgID uint64) {
	c.responseMut.Lock()
	defer c.responseMut.Unlock()
	delete(c.responseRouters, msgID)
}

// Call sends msg to the node and waits for its response.
func (c *channel) Call(ctx context.Context, msg *Message) (*Message, error) {
	replyChan := make(chan response, 1)
	c.responseMut.Lock()
	c.responseRouters[msg.MsgID] = replyChan
	c.responseMut.Unlock()

	select {
	case c.sendQ <- request{ctx: ctx, msg: msg}:
	case <-ctx.Done():
		c.deleteRouter(msg.MsgID)
		return nil, ctx.Err()
	}
	select {
	case resp := <-replyChan:
		return resp.msg, resp.err
	case <-ctx.Done():
		c.deleteRouter(msg.MsgID)
		return nil, ctx.Err()
	}
}
