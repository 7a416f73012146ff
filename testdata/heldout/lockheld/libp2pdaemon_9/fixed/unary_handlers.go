// Package fixed is the fixed version of lockheld/libp2pdaemon_9: the
// handler lookup unlocks mhandlers with a defer, so the not-found path
// releases it too.
package fixed

import (
	"context"
	"fmt"
	"sync"
)

// ProtocolID names a protocol.
type ProtocolID string

// Request is a request for a unary handler from the daemon.
type Request struct {
	CallID int
	Proto  ProtocolID
	Data   []byte
}

// Response is the client's answer to a Request.
type Response struct {
	CallID int
	Result []byte
	Err    string
}

// UnaryHandlerFunc handles one unary request.
type UnaryHandlerFunc func(context.Context, []byte) ([]byte, error)

func (u UnaryHandlerFunc) handle(ctx context.Context, w chan<- Response, req Request) {
	result, err := u(ctx, req.Data)
	resp := Response{CallID: req.CallID, Result: result}
	if err != nil {
		resp.Err = err.Error()
	}
	w <- resp
}

// Client is a daemon client with a persistent connection.
type Client struct {
	mhandlers     sync.Mutex
	unaryHandlers map[ProtocolID]UnaryHandlerFunc
}

func makeErrProtoNotFoundMsg(callID int, proto ProtocolID) Response {
	return Response{CallID: callID, Err: fmt.Sprintf("handler for protocol %s not found", proto)}
}

func (c *Client) getHandler(proto ProtocolID) (UnaryHandlerFunc, bool) {
	c.mhandlers.Lock()
	defer c.mhandlers.Unlock()
	handler, ok := c.unaryHandlers[proto]
	return handler, ok
}

func (c *Client) run(r <-chan Request, w chan<- Response) {
	for req := range r {
		handler, ok := c.getHandler(req.Proto)
		if !ok {
			w <- makeErrProtoNotFoundMsg(req.CallID, req.Proto)
			return
		}

		go func(req Request) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			handler.handle(ctx, w, req)
		}(req)
	}
}

// AddUnaryHandler registers a handler for proto.
func (c *Client) AddUnaryHandler(proto ProtocolID, handler UnaryHandlerFunc) error {
	c.mhandlers.Lock()
	defer c.mhandlers.Unlock()
	c.unaryHandlers[proto] = handler
	return nil
}

// RemoveUnaryHandler unregisters proto's handler.
func (c *Client) RemoveUnaryHandler(proto ProtocolID) error {
	c.mhandlers.Lock()
	defer c.mhandlers.Unlock()
	delete(c.unaryHandlers, proto)
	return nil
}

// Serve receives a request for a protocol nobody registered, then
// registers one.
func Serve() {
	c := &Client{unaryHandlers: map[ProtocolID]UnaryHandlerFunc{}}
	r := make(chan Request)
	w := make(chan Response, 16)
	done := make(chan struct{})
	go func() {
		c.run(r, w)
		close(done)
	}()

	r <- Request{CallID: 1, Proto: "/echo"}
	close(r)
	<-done

	c.AddUnaryHandler("/echo", func(_ context.Context, b []byte) ([]byte, error) { return b, nil })
	c.RemoveUnaryHandler("/echo")
}
