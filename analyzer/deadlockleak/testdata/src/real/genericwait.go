package real

import "context"

// The abandoned result, received in a generic helper (session 25,
// ctxvar): Get's loader goroutine sends on an unbuffered channel that
// only awaitValue receives from, in a select that returns on ctx.Done()
// first; the send then blocks forever. Without instantiated generics the
// call goes to a wrapper of no package; the channel is followed into the
// generic body, which is what runs.
func awaitValue[T any](ctx context.Context, ch <-chan T) (T, error) {
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

type genStore struct{ load func(string) string }

func (s *genStore) Get(ctx context.Context, key string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- s.load(key) // want `this goroutine sends on an unbuffered channel whose only receiver, the select in awaitValue \(line \d+\), can take another case and return first`
	}()
	return awaitValue(ctx, ch)
}

// The fix: room for the value.
func (s *genStore) GetFixed(ctx context.Context, key string) (string, error) {
	ch := make(chan string, 1)
	go func() {
		ch <- s.load(key)
	}()
	return awaitValue(ctx, ch)
}

// Look-alike: a generic helper that waits for the value whatever
// happens: the send always finds its receiver.
func mustValue[T any](ch <-chan T) T {
	return <-ch
}

func (s *genStore) GetWait(key string) string {
	ch := make(chan string)
	go func() {
		ch <- s.load(key)
	}()
	return mustValue(ch)
}
