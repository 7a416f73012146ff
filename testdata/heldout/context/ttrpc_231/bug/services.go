// Package bug is a held-out kernel (issue 14): a ttrpc server gives each
// streaming RPC a context from getRequestContext and defers its cancel in
// the goroutine that runs the handler. Without a request timeout that
// cancel is a no-op, so the per-stream context is the connection's and is
// done only when the connection closes. A handler that hands the stream to
// a helper goroutine calling RecvMsg and then returns leaves the helper
// parked in RecvMsg's select on a receive channel nobody sends on and a
// Done channel nobody closes, one goroutine (and one entry in the
// connection's stream map) per finished stream, for the life of the
// connection.
//
// Upstream: containerd/ttrpc#231 ("server: cancel per-stream context when handler returns")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "For stream RPCs without a request timeout,
// getRequestContext returned noopFunc as the cancel. The deferred cancel()
// in services.go's stream-handling goroutine was therefore a no-op ... Any
// goroutine that parked on <-s.ctx.Done() (including direct calls into
// srv.RecvMsg from handler-spawned helpers) therefore leaked". Reduced
// from services.go and server.go of ttrpc v1.2: serviceSet.handle,
// streamHandler with its recv channel, data, RecvMsg and closeSend, and
// getRequestContext with noopFunc. The bridge handler that spawns the
// helper is our reduction of the downstream code the PR says found it;
// protobuf, metadata and the connection's send loop are reduced.
//
// Fix: our reading of "make the per-stream context cancellable":
// getRequestContext returns context.WithCancel's cancel when there is no
// timeout, so the deferred cancel ends the stream's context when the
// handler returns.
package bug

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrStreamClosed is returned on a closed stream.
var ErrStreamClosed = errors.New("ttrpc: stream closed")

// Request is one ttrpc request.
type Request struct {
	Service, Method string
	Payload         []byte
	TimeoutNano     int64
}

// Unmarshaler decodes one received message into its argument.
type Unmarshaler func(interface{}) error

// StreamServer is the server side of a stream.
type StreamServer interface {
	SendMsg(m interface{}) error
	RecvMsg(m interface{}) error
}

// StreamHandler serves one streaming method.
type StreamHandler func(context.Context, StreamServer) (interface{}, error)

// ServiceDesc describes a service's streaming methods.
type ServiceDesc struct {
	Streams map[string]StreamHandler
}

type serviceSet struct {
	services map[string]*ServiceDesc
}

var noopFunc = func() {}

func getRequestContext(ctx context.Context, req *Request) (retCtx context.Context, cancel func()) {
	cancel = noopFunc
	if req.TimeoutNano == 0 {
		return ctx, cancel // heldout:site
	}
	ctx, cancel = context.WithTimeout(ctx, time.Duration(req.TimeoutNano))
	return ctx, cancel
}

// handle starts the stream's handler; ctx is the connection's context.
func (s *serviceSet) handle(ctx context.Context, req *Request, respond func(p []byte, err error, closeStream bool) error) (*streamHandler, error) {
	srv, ok := s.services[req.Service]
	if !ok {
		return nil, errors.New("unimplemented service")
	}
	stream, ok := srv.Streams[req.Method]
	if !ok {
		return nil, errors.New("unimplemented method")
	}
	ctx, cancel := getRequestContext(ctx, req)
	sh := &streamHandler{
		ctx:     ctx,
		respond: respond,
		recv:    make(chan Unmarshaler, 5),
	}
	go func() {
		defer cancel()
		_, err := stream(ctx, sh)
		respond(nil, err, true)
	}()
	if req.Payload != nil {
		payload := req.Payload
		if err := sh.data(func(obj interface{}) error {
			if b, ok := obj.(*[]byte); ok {
				*b = payload
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return sh, nil
}

type streamHandler struct {
	ctx     context.Context
	respond func(p []byte, err error, closeStream bool) error
	recv    chan Unmarshaler

	remoteClosed bool
	localClosed  bool
}

func (s *streamHandler) closeSend() {
	if !s.remoteClosed {
		s.remoteClosed = true
		close(s.recv)
	}
}

func (s *streamHandler) data(unmarshal Unmarshaler) error {
	if s.remoteClosed {
		return ErrStreamClosed
	}
	select {
	case s.recv <- unmarshal:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

func (s *streamHandler) SendMsg(m interface{}) error {
	if s.localClosed {
		return ErrStreamClosed
	}
	b, _ := m.([]byte)
	return s.respond(b, nil, false)
}

func (s *streamHandler) RecvMsg(m interface{}) error {
	select { // heldout:site
	case unmarshal, ok := <-s.recv:
		if !ok {
			return io.EOF
		}
		return unmarshal(m)
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// BridgeHandler forwards client messages to out from a helper goroutine
// and returns once it has answered the first one.
func BridgeHandler(out chan<- []byte) StreamHandler {
	return func(ctx context.Context, srv StreamServer) (interface{}, error) {
		first := make(chan error, 1)
		go func() {
			for {
				var b []byte
				if err := srv.RecvMsg(&b); err != nil { // heldout:site
					select {
					case first <- err:
					default:
					}
					return
				}
				select {
				case out <- b:
				default:
				}
				select {
				case first <- nil:
				default:
				}
			}
		}()
		if err := <-first; err != nil {
			return nil, err
		}
		return nil, srv.SendMsg([]byte("ack"))
	}
}
