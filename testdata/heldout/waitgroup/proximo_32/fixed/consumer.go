// Package fixed is the fixed version of waitgroup/proximo_32: wg.Wait is
// deferred first, so it runs last, after the stream and the connection
// are closed and the receiving goroutine has returned from Recv.
package fixed

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
	var wg sync.WaitGroup
	defer wg.Wait()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

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
			return err
		case <-ctx.Done():
			return nil
		}
	}
}
