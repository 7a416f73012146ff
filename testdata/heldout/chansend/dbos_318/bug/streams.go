// Package bug is a held-out kernel (issue 14): the typed wrapper of an
// asynchronous stream read decodes each value in a goroutine and sends
// it on a one-slot channel with a plain send; when the consumer stops
// reading before the stream is closed, that send blocks for ever, even
// after the context is cancelled, and the goroutine leaks.
//
// Upstream: dbos-inc/dbos-transact-golang#318 ("Fix goroutine leak when ReadStreamAsync consumer stops reading")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: ReadStreamAsync[R] gets an untyped channel from the context's
// ReadStreamAsync, makes typedCh (capacity one) and starts a goroutine
// that ranges over the untyped values and forwards each, decoded, with
// typedCh <- v (errors and the closed marker too), closing typedCh when
// done. The PR: "the goroutine currently blocks forever on ch <- v
// without respecting context cancellation". The untyped reader (a
// polling loop over the database upstream) is our reduction: a producer
// of values that stops on the context; decoding is a type assertion.
//
// Fix: every forward goes through a send helper that selects on typedCh
// <- v and ctx.Done(), and the goroutine returns when the send fails.
package bug

import (
	"context"
	"fmt"
	"time"
)

// StreamValue is a value, error or closed marker from a stream.
type StreamValue[R any] struct {
	Value  R
	Err    error
	Closed bool
}

// Stream is where a workflow writes values.
type Stream interface {
	Next(ctx context.Context) (value any, closed bool, err error)
}

// readStream polls the stream and forwards untyped values until it is
// closed, fails, or ctx is done.
func readStream(ctx context.Context, s Stream) <-chan StreamValue[any] {
	ch := make(chan StreamValue[any])
	go func() {
		defer close(ch)
		for {
			v, closed, err := s.Next(ctx)
			var sv StreamValue[any]
			switch {
			case err != nil:
				sv = StreamValue[any]{Err: err}
			case closed:
				sv = StreamValue[any]{Closed: true}
			default:
				sv = StreamValue[any]{Value: v}
			}
			select {
			case ch <- sv:
			case <-ctx.Done():
				return
			}
			if err != nil || closed {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return ch
}

// ReadStreamAsync returns a channel of the stream's values as R.
func ReadStreamAsync[R any](ctx context.Context, s Stream) (<-chan StreamValue[R], error) {
	if ctx == nil {
		return nil, fmt.Errorf("ctx cannot be nil")
	}
	anyCh := readStream(ctx, s)

	typedCh := make(chan StreamValue[R], 1)

	go func() {
		defer close(typedCh)

		for streamValue := range anyCh {
			if streamValue.Err != nil {
				typedCh <- StreamValue[R]{Err: streamValue.Err} // heldout:site
				return
			}
			if streamValue.Closed {
				typedCh <- StreamValue[R]{Closed: true} // heldout:site
				return
			}
			value, ok := streamValue.Value.(R)
			if !ok {
				typedCh <- StreamValue[R]{Err: fmt.Errorf("stream value is not %T, got %T", *new(R), streamValue.Value)} // heldout:site
				return
			}
			typedCh <- StreamValue[R]{Value: value} // heldout:site
		}
	}()

	return typedCh, nil
}

// FirstValue reads the stream's first value and stops reading.
func FirstValue(ctx context.Context, s Stream) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := ReadStreamAsync[string](ctx, s)
	if err != nil {
		return "", err
	}
	v := <-ch
	return v.Value, v.Err // heldout:site
}
