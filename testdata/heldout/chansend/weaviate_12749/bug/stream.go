// Package bug is a held-out kernel (issue 14): a batch-stream handler whose
// receive helper forwards stream.Recv results over unbuffered channels, so
// that when the consumer loop leaves on cancellation or after the shutdown
// grace period, the helper's goroutine blocks on its send forever.
//
// Upstream: weaviate/weaviate#12749 ("gRPC batch stream: recv goroutine leaks on unbuffered errCh/reqCh send when the stream ends via context cancellation")
// Round: 6
//
// Bug: recv starts a goroutine that loops on stream.Recv and hands each
// request to reqCh, or the final error to errCh, both unbuffered. Its
// comment assumed that cancelling the stream's context cleans it up, but
// cancellation only makes Recv return; the send that follows has no
// reader once receiver has returned through its ctx.Done case or one of
// its two grace-period exits, so one goroutine leaks per stream that ends
// abnormally. Our reduction: the protobuf types are small structs, the
// stream is an interface, and the shutdown grace period is a channel.
//
// Fix: receiver cancels a child context on every exit (defer cancel) and
// passes it to recv, whose two sends select on that context's Done.
package bug

import (
	"context"
	"errors"
	"time"
)

// BatchStreamRequest is one message from the client.
type BatchStreamRequest struct {
	Objects []string
	Stop    bool
}

// Stream is the server side of the batch stream.
type Stream interface {
	Recv() (*BatchStreamRequest, error)
	Context() context.Context
}

// StreamHandler serves batch streams.
type StreamHandler struct {
	shuttingDown chan struct{}
	graceExpired chan struct{}
	queue        chan<- []string
}

var errShutdown = errors.New("server is shutting down")

// Shutdown starts the grace period after which open streams are ended.
func (h *StreamHandler) Shutdown(grace time.Duration) {
	close(h.shuttingDown)
	time.AfterFunc(grace, func() { close(h.graceExpired) })
}

// recv turns the blocking Recv into two channels. Cancelling the stream's
// context makes Recv return, which ends the goroutine.
func (h *StreamHandler) recv(stream Stream) (chan *BatchStreamRequest, chan error) {
	reqCh := make(chan *BatchStreamRequest)
	errCh := make(chan error)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				errCh <- err // heldout:site
				return
			}
			reqCh <- req // heldout:site
		}
	}()
	return reqCh, errCh
}

func (h *StreamHandler) receiver(ctx context.Context, stream Stream) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reqCh, errCh := h.recv(stream)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err() // heldout:site
		case err := <-errCh:
			return err
		case req := <-reqCh:
			if req.Stop {
				return nil
			}
			select {
			case h.queue <- req.Objects:
			case <-ctx.Done():
				return ctx.Err() // heldout:site
			}
		case <-h.shuttingDown:
			select {
			case <-h.graceExpired:
				cancel()
				return errShutdown // heldout:site
			case err := <-errCh:
				return err
			}
		}
	}
}
