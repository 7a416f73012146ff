// Package fixed is the fixed version of lockheld/gorums_235: the receiver
// does not hold the stream lock while it waits in RecvMsg.
package fixed

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
		stream := c.gorumsStream
		c.streamMut.RUnlock()
		if err := stream.RecvMsg(resp); err != nil {
			c.streamBroken.Store(true)
			c.setLastErr(err)
			c.reconnect()
		} else {
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
	c.streamMut.Lock()
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
