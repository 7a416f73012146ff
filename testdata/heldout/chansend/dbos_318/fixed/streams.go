// Package fixed is the fixed version of chansend/dbos_318: the typed
// forwarder sends through a helper that gives up when the context is done.
package fixed

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

		send := func(v StreamValue[R]) bool {
			select {
			case typedCh <- v:
				return true
			case <-ctx.Done():
				return false
			}
		}

		for streamValue := range anyCh {
			if streamValue.Err != nil {
				send(StreamValue[R]{Err: streamValue.Err})
				return
			}
			if streamValue.Closed {
				send(StreamValue[R]{Closed: true})
				return
			}
			value, ok := streamValue.Value.(R)
			if !ok {
				send(StreamValue[R]{Err: fmt.Errorf("stream value is not %T, got %T", *new(R), streamValue.Value)})
				return
			}
			if !send(StreamValue[R]{Value: value}) {
				return
			}
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
	return v.Value, v.Err
}
