package real

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Synthetic kernels (ours, not upstream reductions): the classic leaks
// with the goroutine started by a group's Go (sync.WaitGroup.Go, Go 1.25;
// errgroup's Group.Go) instead of a go statement. The function literal
// handed to Go is a new goroutine: its send on the captured channel is
// the sender side.

// The result sender started with WaitGroup.Go; the caller selects on its
// context and returns first: the send blocks forever (and a later
// wg.Wait with it). Fix: a buffer of one.
func fetchFirst(ctx context.Context, wg *sync.WaitGroup, fetch func() string) (string, error) {
	res := make(chan string)
	wg.Go(func() {
		res <- fetch() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in fetchFirst \(line \d+\), can take another case and return first`
	})
	select {
	case r := <-res:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func fetchFirstFixed(ctx context.Context, wg *sync.WaitGroup, fetch func() string) (string, error) {
	res := make(chan string, 1)
	wg.Go(func() {
		res <- fetch()
	})
	select {
	case r := <-res:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// The abandoned stream with an errgroup producer: the consumer returns at
// the first match, the producer blocks on its next send, and the group's
// Wait (if anyone calls it) never returns. Fix: the producer selects on a
// done channel the consumer closes on its way out.
func firstMatch(items []string, match func(string) bool) (string, bool) {
	var g errgroup.Group
	out := make(chan string)
	g.Go(func() error {
		defer close(out)
		for _, it := range items {
			out <- it // want `this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in firstMatch \(line \d+\), can stop after a value and return`
		}
		return nil
	})
	for it := range out {
		if match(it) {
			return it, true
		}
	}
	return "", false
}

func firstMatchFixed(items []string, match func(string) bool) (string, bool) {
	var g errgroup.Group
	out := make(chan string)
	done := make(chan struct{})
	defer close(done)
	g.Go(func() error {
		defer close(out)
		for _, it := range items {
			select {
			case out <- it:
			case <-done:
				return nil
			}
		}
		return nil
	})
	for it := range out {
		if match(it) {
			return it, true
		}
	}
	return "", false
}

// Look-alike: the consumer drains the stream and then waits for the group.
func allMatches(items []string, match func(string) bool) ([]string, error) {
	var g errgroup.Group
	out := make(chan string)
	g.Go(func() error {
		defer close(out)
		for _, it := range items {
			out <- it
		}
		return nil
	})
	var got []string
	for it := range out {
		if match(it) {
			got = append(got, it)
		}
	}
	return got, g.Wait()
}

// dgraph-io/dgraph#3074's first-error-wins shape (the kernel is ours) with
// the part fetchers started by an errgroup in a loop: the caller returns
// at the first error, and every fetcher that has not sent yet blocks
// forever. Fix: a buffer of len(parts).
func fetchGroupParts(parts []string, fetch func(string) error) error {
	var g errgroup.Group
	errCh := make(chan error)
	for _, p := range parts {
		g.Go(func() error {
			errCh <- fetch(p) // want `several goroutines each send once on an unbuffered channel that fetchGroupParts receives from in a loop \(line \d+\), but it can leave the loop after a receive and return \(line \d+\)`
			return nil
		})
	}
	for range parts {
		if err := <-errCh; err != nil {
			return err
		}
	}
	return nil
}

func fetchGroupPartsFixed(parts []string, fetch func(string) error) error {
	var g errgroup.Group
	errCh := make(chan error, len(parts))
	for _, p := range parts {
		g.Go(func() error {
			errCh <- fetch(p)
			return nil
		})
	}
	for range parts {
		if err := <-errCh; err != nil {
			return err
		}
	}
	return nil
}
