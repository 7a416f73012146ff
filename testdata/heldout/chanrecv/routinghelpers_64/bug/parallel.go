// Package bug is a held-out kernel (issue 14): a parallel router that
// returns a nil channel on error from an async API whose callers range
// over the result.
//
// Upstream: libp2p/go-libp2p-routing-helpers#64 ("Return a closed channel instead of nil for getChannelOrErrorParallel")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: FindProvidersAsync calls getChannelOrErrorParallel and ignores its
// error, returning the channel. On the error paths (no routers, the
// request's context cancelled before any router answered, every router
// failing) that channel is nil, and the caller's "for info := range
// FindProvidersAsync(...)" (go-bitswap's provider query) blocks forever;
// after a few cancelled requests bitswap stopped querying the indexers.
// The router plumbing is our reduction.
//
// Fix: the error paths return a closed channel.
package bug

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNotFound is returned when no router answered.
var ErrNotFound = errors.New("routing: not found")

// AddrInfo is a peer and its addresses.
type AddrInfo struct {
	ID    string
	Addrs []string
}

// Routing is the part of a content router used here.
type Routing interface {
	FindProvidersAsync(ctx context.Context, key string, count int) <-chan AddrInfo
}

// ParallelRouter is one router of the composite.
type ParallelRouter struct {
	Router       Routing
	Timeout      time.Duration
	IgnoreError  bool
	ExecuteAfter time.Duration
}

type composableParallel struct {
	routers []*ParallelRouter
}

func getChannelOrErrorParallel[T any](ctx context.Context, routers []*ParallelRouter, f func(context.Context, Routing) (<-chan T, error)) (chan T, error) {
	if len(routers) == 0 {
		return nil, ErrNotFound // heldout:site
	}
	outCh := make(chan T)
	errCh := make(chan error, len(routers))
	started := make(chan struct{}, len(routers))
	var wg sync.WaitGroup
	for _, r := range routers {
		wg.Add(1)
		go func(r *ParallelRouter) {
			defer wg.Done()
			rctx := ctx
			if r.Timeout > 0 {
				var cancel context.CancelFunc
				rctx, cancel = context.WithTimeout(ctx, r.Timeout)
				defer cancel()
			}
			ch, err := f(rctx, r.Router)
			if err != nil {
				errCh <- err
				return
			}
			started <- struct{}{}
			for v := range ch {
				select {
				case outCh <- v:
				case <-ctx.Done():
					return
				}
			}
		}(r)
	}
	go func() {
		wg.Wait()
		close(outCh)
	}()

	var errs []error
	for {
		select {
		case <-started:
			return outCh, nil
		case err := <-errCh:
			errs = append(errs, err)
			if len(errs) == len(routers) {
				return nil, errors.Join(errs...) // heldout:site
			}
		case <-ctx.Done():
			return nil, ctx.Err() // heldout:site
		}
	}
}

// FindProvidersAsync queries all routers at once.
func (r *composableParallel) FindProvidersAsync(ctx context.Context, key string, count int) <-chan AddrInfo {
	ch, _ := getChannelOrErrorParallel(ctx, r.routers, func(ctx context.Context, rt Routing) (<-chan AddrInfo, error) {
		return rt.FindProvidersAsync(ctx, key, count), nil
	})
	return ch
}

// findProviders is bitswap's provider query.
func findProviders(ctx context.Context, rt Routing, key string, max int, connect func(AddrInfo)) {
	for info := range rt.FindProvidersAsync(ctx, key, max) { // heldout:site
		connect(info)
	}
}
