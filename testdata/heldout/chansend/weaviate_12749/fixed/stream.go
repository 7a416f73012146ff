// Package fixed is the fixed version of chansend/weaviate_12749: recv's two
// sends select on the context receiver cancels when it returns.
package fixed

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

// recv turns the blocking Recv into two channels; ctx is cancelled when the
// consumer stops reading them.
func (h *StreamHandler) recv(ctx context.Context, stream Stream) (chan *BatchStreamRequest, chan error) {
	reqCh := make(chan *BatchStreamRequest)
	errCh := make(chan error)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				select {
				case errCh <- err:
				case <-ctx.Done():
				}
				return
			}
			select {
			case reqCh <- req:
			case <-ctx.Done():
				return
			}
		}
	}()
	return reqCh, errCh
}

func (h *StreamHandler) receiver(ctx context.Context, stream Stream) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	reqCh, errCh := h.recv(ctx, stream)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-errCh:
			return err
		case req := <-reqCh:
			if req.Stop {
				return nil
			}
			select {
			case h.queue <- req.Objects:
			case <-ctx.Done():
				return ctx.Err()
			}
		case <-h.shuttingDown:
			select {
			case <-h.graceExpired:
				cancel()
				return errShutdown
			case err := <-errCh:
				return err
			}
		}
	}
}
