// Package bug is a held-out kernel (issue 14): the p2pclient of
// learning-at-home's go-libp2p-daemon fork leaves its handler-map mutex
// locked. The persistent connection's run loop locks mhandlers to look up
// the unary handler for an incoming request; when no handler is
// registered for the protocol it answers with an error and returns
// without unlocking, so the next AddUnaryHandler or RemoveUnaryHandler
// blocks on mhandlers for ever.
//
// Upstream: learning-at-home/go-libp2p-daemon#9 ("Fix deadlock in p2pclient/unary_handlers.go")
// Round: 15
//
// Bug: the PR: "In case of !ok and the following return, c.mhandlers won't
// be released, and this will lead to a deadlock." Client, run,
// AddUnaryHandler, RemoveUnaryHandler, UnaryHandlerFunc.handle and the
// not-found reply follow p2pclient/unary_handlers.go; the protobuf
// reader/writer are our reduction to channels of structs, and the daemon's
// acknowledgement of AddUnaryHandler is left out.
//
// Fix: our reading of the PR (which offers "defer c.mhandlers.Unlock()"
// or dropping the mutex): the lookup is done in a helper that unlocks
// with a defer, so the not-found path releases the lock too.
package bug

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

func (c *Client) run(r <-chan Request, w chan<- Response) {
	for req := range r {
		c.mhandlers.Lock()
		handler, ok := c.unaryHandlers[req.Proto]
		if !ok {
			w <- makeErrProtoNotFoundMsg(req.CallID, req.Proto)
			return // heldout:site
		}
		c.mhandlers.Unlock()

		go func(req Request) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			handler.handle(ctx, w, req)
		}(req)
	}
}

// AddUnaryHandler registers a handler for proto.
func (c *Client) AddUnaryHandler(proto ProtocolID, handler UnaryHandlerFunc) error {
	c.mhandlers.Lock() // heldout:site
	defer c.mhandlers.Unlock()
	c.unaryHandlers[proto] = handler
	return nil
}

// RemoveUnaryHandler unregisters proto's handler.
func (c *Client) RemoveUnaryHandler(proto ProtocolID) error {
	c.mhandlers.Lock() // heldout:site
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
