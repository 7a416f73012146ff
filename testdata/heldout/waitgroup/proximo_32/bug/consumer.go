// Package bug is a held-out kernel (issue 14): proximo's Go consumer
// returns the handler's error through its deferred calls in the wrong
// order: it waits for its two goroutines before closing the stream and
// the connection, and the goroutine blocked in stream.Recv() only returns
// once they are closed, so consumeContext never returns.
//
// Upstream: uw-labs/proximo#32 ("Go proximo consumer: wait on WaitGroup last")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: consumeContext dials, opens the consume stream, defers
// stream.CloseSend() and then defer wg.Wait(), so on return wg.Wait runs
// first, then CloseSend, then conn.Close. One goroutine (in wg) receives
// messages from the stream and hands them to a second (in wg) through
// ins; the second calls the user's handler and passes each handled id
// back on handled. When the handler returns an error, the second
// goroutine sends it on errs and returns, and consumeContext returns it:
// the deferred wg.Wait() then waits for the receiving goroutine, which is
// blocked in stream.Recv() until the stream or the connection is closed,
// which the later defers would do. gRPC is reduced to Conn and Stream
// interfaces. Upstream has two more ways to hang that its fix leaves in:
// the receiving goroutine blocked on the 16-slot ins channel once the
// handler goroutine has gone, and the handler goroutine blocked on
// handled after a confirmation failed to send. We leave both out of both
// versions: consumeContext cancels its own context on return (deferred so
// that, in the fixed version, it runs before wg.Wait) and the send on ins
// also selects on that context; these two lines are our addition.
//
// Fix (uw-labs/proximo#32): the defers are reordered so that CloseSend
// and conn.Close run before wg.Wait; closing the stream makes Recv
// return, the receiving goroutine exits and Wait returns.
package bug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// ErrCanceled is what Recv and Send return once the stream's context is
// cancelled.
var ErrCanceled = errors.New("rpc canceled")

// Message is a message from the proximo server.
type Message struct {
	ID   string
	Data []byte
}

// ConsumerRequest starts consuming or confirms a message.
type ConsumerRequest struct {
	Topic        string
	Consumer     string
	Confirmation string
}

// Stream is the bidirectional consume stream.
type Stream interface {
	Recv() (*Message, error)
	Send(*ConsumerRequest) error
	CloseSend() error
}

// Conn is a client connection to the proximo server.
type Conn interface {
	Consume(ctx context.Context) (Stream, error)
	Close() error
}

// Dialer opens a connection.
type Dialer func(ctx context.Context, address string) (Conn, error)

// ConsumeContext consumes topic as consumer, calling f for every message,
// until ctx is done or f fails.
func ConsumeContext(ctx context.Context, dial Dialer, address, consumer, topic string, f func(*Message) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var wg sync.WaitGroup

	conn, err := dial(ctx, address)
	if err != nil {
		return fmt.Errorf("fail to dial %s: %w", address, err)
	}
	defer conn.Close()

	stream, err := conn.Consume(ctx)
	if err != nil {
		return fmt.Errorf("fail to consume: %w", err)
	}
	defer stream.CloseSend()
	defer wg.Wait() // heldout:site

	handled := make(chan string)
	errs := make(chan error, 2)
	ins := make(chan *Message, 16)

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ins)
		for {
			in, err := stream.Recv()
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrCanceled) {
					errs <- err
				}
				return
			}
			select {
			case ins <- in:
			case <-ctx.Done():
				return
			}
		}
	}()

	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case in, ok := <-ins:
				if !ok {
					return
				}
				if err := f(in); err != nil {
					errs <- err
					return
				}
				select {
				case handled <- in.ID:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	if err := stream.Send(&ConsumerRequest{Topic: topic, Consumer: consumer}); err != nil {
		return err
	}

	for {
		select {
		case id := <-handled:
			if err := stream.Send(&ConsumerRequest{Confirmation: id}); err != nil {
				if errors.Is(err, ErrCanceled) {
					return nil
				}
				return err
			}
		case err := <-errs:
			return err // heldout:site
		case <-ctx.Done():
			return nil
		}
	}
}
