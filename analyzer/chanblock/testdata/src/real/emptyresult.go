package real

import (
	"context"
	"strings"
)

// A nil channel returned with a nil error (an empty stream), when the
// caller checks the error and ranges over (or receives from) the channel.

// Upstream: fiatjaf/eventstore#62 (the wrapper disabling search answered
// a search filter with a nil channel and no error; the relay's request
// handler, ranging over the channel its store returned, blocked forever).
// Fix: return a channel already closed. Reduced in our own words.
type eventStore interface {
	Query(ctx context.Context, filter string) (chan string, error)
}

type memStore struct{ events []string }

func (m *memStore) Query(ctx context.Context, filter string) (chan string, error) {
	ch := make(chan string)
	go func() {
		defer close(ch)
		for _, e := range m.events {
			if strings.Contains(e, filter) {
				select {
				case ch <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch, nil
}

type noSearch struct{ eventStore }

func (w noSearch) Query(ctx context.Context, filter string) (chan string, error) {
	if strings.HasPrefix(filter, "search:") {
		return nil, nil // want `noSearch's Query, which the interface call may run, returns a nil channel here with a nil error, and serveQuery \(line \d+\) takes it as a stream and receives from it \(line \d+\) without testing it for nil`
	}
	return w.eventStore.Query(ctx, filter)
}

func serveQuery(ctx context.Context, st eventStore, filters []string, send func(string)) error {
	for _, f := range filters {
		ch, err := st.Query(ctx, f)
		if err != nil {
			return err
		}
		for e := range ch {
			send(e)
		}
	}
	return nil
}

// A function called directly, the caller receiving once.
func firstMatch(events []string, filter string) (<-chan string, error) {
	if filter == "" {
		return nil, nil // want `firstMatch returns a nil channel here with a nil error, and waitFirst \(line \d+\) takes it as a stream and receives from it`
	}
	ch := make(chan string, 1)
	for _, e := range events {
		if strings.Contains(e, filter) {
			ch <- e
			break
		}
	}
	close(ch)
	return ch, nil
}

func waitFirst(events []string, filter string) (string, error) {
	ch, err := firstMatch(events, filter)
	if err != nil {
		return "", err
	}
	return <-ch, nil
}

// Fixed: a closed channel for the empty result.
type noSearchFixed struct{ eventStore }

func (w noSearchFixed) Query(ctx context.Context, filter string) (chan string, error) {
	if strings.HasPrefix(filter, "search:") {
		ch := make(chan string)
		close(ch)
		return ch, nil
	}
	return w.eventStore.Query(ctx, filter)
}

type fixedStore interface {
	Query(ctx context.Context, filter string) (chan string, error)
	Save(e string)
}

func serveFixed(ctx context.Context, st fixedStore, f string, send func(string)) error {
	ch, err := st.Query(ctx, f)
	if err != nil {
		return err
	}
	for e := range ch {
		send(e)
	}
	return nil
}

// The caller tests the channel for nil.
func firstMatchTested(events []string, filter string) (<-chan string, error) {
	if filter == "" {
		return nil, nil
	}
	ch := make(chan string, 1)
	close(ch)
	return ch, nil
}

func waitFirstTested(events []string, filter string) string {
	ch, err := firstMatchTested(events, filter)
	if err != nil || ch == nil {
		return ""
	}
	return <-ch
}

// The caller selects on it: a nil channel disables the case.
func firstMatchSelected(filter string) (<-chan string, error) {
	if filter == "" {
		return nil, nil
	}
	ch := make(chan string, 1)
	ch <- filter
	return ch, nil
}

func waitSelected(ctx context.Context, filter string) string {
	ch, err := firstMatchSelected(filter)
	if err != nil {
		return ""
	}
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		return ""
	}
}
