package real

import (
	"context"
	"errors"
)

// jwilder/dockerize#324 with the upstream helper's own signature: the
// template function loop returns (<-chan int, error), an error for a
// wrong argument count before it makes the channel, and the channel fed
// by its goroutine otherwise. The consumer, which stops at the first
// match, is ours (upstream it is the template's range). The channel is
// followed through the caller's extract of the tuple. Fix upstream: a
// buffered channel; here the fixed look-alike selects on a done channel.
func loopArgs(args ...int) (<-chan int, error) {
	var start, stop int
	switch len(args) {
	case 1:
		stop = args[0]
	case 2:
		start, stop = args[0], args[1]
	default:
		return nil, errors.New("wrong number of arguments, expected 1-2")
	}
	c := make(chan int)
	go func() {
		for i := start; i < stop; i++ {
			c <- i // want `this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in firstSquareAbove \(line \d+\), can stop after a value and return \(line \d+\): the goroutine's next send then blocks forever`
		}
		close(c)
	}()
	return c, nil
}

func firstSquareAbove(limit int, args ...int) (int, error) {
	c, err := loopArgs(args...)
	if err != nil {
		return 0, err
	}
	for i := range c {
		if i*i > limit {
			return i, nil
		}
	}
	return -1, nil
}

func loopArgsFixed(done <-chan struct{}, args ...int) (<-chan int, error) {
	var start, stop int
	switch len(args) {
	case 1:
		stop = args[0]
	case 2:
		start, stop = args[0], args[1]
	default:
		return nil, errors.New("wrong number of arguments, expected 1-2")
	}
	c := make(chan int)
	go func() {
		defer close(c)
		for i := start; i < stop; i++ {
			select {
			case c <- i:
			case <-done:
				return
			}
		}
	}()
	return c, nil
}

func firstSquareAboveFixed(limit int, args ...int) (int, error) {
	done := make(chan struct{})
	defer close(done)
	c, err := loopArgsFixed(done, args...)
	if err != nil {
		return 0, err
	}
	for i := range c {
		if i*i > limit {
			return i, nil
		}
	}
	return -1, nil
}

// Synthetic kernel (ours): a watcher returning (chan T, func(), error),
// whose stop function cancels a context the producer only tests between
// sends, not while it is blocked in one: a caller that stops at the first
// match and calls stop on its way out leaves the producer blocked on its
// next send.
func watchNames(ctx context.Context, names []string) (<-chan string, func(), error) {
	if len(names) == 0 {
		return nil, nil, errors.New("nothing to watch")
	}
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan string)
	go func() {
		defer close(out)
		for _, n := range names {
			if ctx.Err() != nil {
				return
			}
			out <- n // want `this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in findName \(line \d+\), can stop after a value and return`
		}
	}()
	return out, cancel, nil
}

func findName(ctx context.Context, names []string, want string) (bool, error) {
	ch, stop, err := watchNames(ctx, names)
	if err != nil {
		return false, err
	}
	defer stop()
	for n := range ch {
		if n == want {
			return true, nil
		}
	}
	return false, nil
}

// The fixed watcher sends in a select on the context that stop cancels.
func watchNamesFixed(ctx context.Context, names []string) (<-chan string, func(), error) {
	if len(names) == 0 {
		return nil, nil, errors.New("nothing to watch")
	}
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan string)
	go func() {
		defer close(out)
		for _, n := range names {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, cancel, nil
}

func findNameFixed(ctx context.Context, names []string, want string) (bool, error) {
	ch, stop, err := watchNamesFixed(ctx, names)
	if err != nil {
		return false, err
	}
	defer stop()
	for n := range ch {
		if n == want {
			return true, nil
		}
	}
	return false, nil
}

// Look-alike: the caller reads the tuple's channel to its end.
func countNames(ctx context.Context, names []string) (int, error) {
	ch, stop, err := watchNamesDrained(ctx, names)
	if err != nil {
		return 0, err
	}
	defer stop()
	k := 0
	for range ch {
		k++
	}
	return k, nil
}

func watchNamesDrained(ctx context.Context, names []string) (<-chan string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan string)
	go func() {
		for _, n := range names {
			out <- n
		}
		close(out)
		_ = ctx
	}()
	return out, cancel, nil
}
