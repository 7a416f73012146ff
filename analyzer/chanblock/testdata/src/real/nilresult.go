package real

import (
	"context"
	"errors"
	"time"
)

// A nil channel returned with an error, when the caller drops the error
// and ranges over (or receives from, or returns on) the channel.

// Upstream: libp2p/go-libp2p-routing-helpers#64 (the parallel router's
// helper returned a nil channel with its error when no router answered;
// the async lookup dropped the error and returned the channel, and the
// caller's range over it blocked forever). Fix: return a closed channel.
// Reduced in our own words.
var errNoBackend = errors.New("no backend")

type backend interface {
	Query(ctx context.Context, key string) <-chan string
}

func queryAll(ctx context.Context, bs []backend, key string) (<-chan string, error) {
	if len(bs) == 0 {
		return nil, errNoBackend // want `queryAll returns a nil channel here with its error, and asyncQuery \(line \d+\) neither checks the error nor tests the channel for nil, and returns it as its own result, with no error beside it \(line \d+\)`
	}
	out := make(chan string)
	go func() {
		defer close(out)
		for _, b := range bs {
			for v := range b.Query(ctx, key) {
				out <- v
			}
		}
	}()
	return out, nil
}

func asyncQuery(ctx context.Context, bs []backend, key string) <-chan string {
	ch, _ := queryAll(ctx, bs, key)
	return ch
}

func queryAllFixed(ctx context.Context, bs []backend, key string) (<-chan string, error) {
	if len(bs) == 0 {
		c := make(chan string)
		close(c)
		return c, errNoBackend
	}
	out := make(chan string, len(bs))
	close(out)
	return out, nil
}

func asyncQueryFixed(ctx context.Context, bs []backend, key string) <-chan string {
	ch, _ := queryAllFixed(ctx, bs, key)
	return ch
}

// A variant written differently (ours): a subscription that fails once the
// hub is closed, and a caller that ranges over it with the error blanked.
type msgHub struct {
	closed bool
	subs   []chan []byte
}

func (h *msgHub) subscribe(topic string) (chan []byte, error) {
	if h.closed {
		return nil, errors.New("hub closed") // want `subscribe returns a nil channel here with its error, and follow \(line \d+\) neither checks the error nor tests the channel for nil, and receives from it`
	}
	c := make(chan []byte, 1)
	h.subs = append(h.subs, c)
	return c, nil
}

func follow(h *msgHub, topic string, handle func([]byte)) {
	msgs, _ := h.subscribe(topic)
	for m := range msgs {
		handle(m)
	}
}

// Look-alike negatives (ours): the caller checks the error; the caller
// tests the channel for nil; a channel getter without an error that
// returns nil on purpose to disable a select case; and a select on the
// result.
func followChecked(h *msgHub, topic string, handle func([]byte)) error {
	msgs, err := h.subscribe(topic)
	if err != nil {
		return err
	}
	for m := range msgs {
		handle(m)
	}
	return nil
}

func followNilTest(h *msgHub, topic string) []byte {
	msgs, _ := h.subscribe(topic)
	if msgs == nil {
		return nil
	}
	return <-msgs
}

type idleTimer struct{ d time.Duration }

func (t *idleTimer) expired() <-chan time.Time {
	if t.d == 0 {
		return nil
	}
	return time.After(t.d)
}

func (t *idleTimer) C() <-chan time.Time { return t.expired() }

func followSelect(h *msgHub, topic string, stop <-chan struct{}) []byte {
	msgs, _ := h.subscribe(topic)
	select {
	case m := <-msgs:
		return m
	case <-stop:
		return nil
	}
}
