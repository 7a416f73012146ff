// Package fixed is the fixed version of chanrecv/routinghelpers_64: the
// error paths return a closed channel.
package fixed

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
		return closedChan[T](), ErrNotFound
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
				return closedChan[T](), errors.Join(errs...)
			}
		case <-ctx.Done():
			return closedChan[T](), ctx.Err()
		}
	}
}

func closedChan[T any]() chan T {
	ch := make(chan T)
	close(ch)
	return ch
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
	for info := range rt.FindProvidersAsync(ctx, key, max) {
		connect(info)
	}
}
