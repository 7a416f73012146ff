// Package bug is a held-out kernel (issue 14): a goroutine meant to end with
// its function, stopped by the wrong context, so it outlives the call.
//
// Upstream: sensu/sensu-go#1749 ("Fix a goroutine leak in Ring.Next.", closes sensu/sensu-go#1746)
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: Ring.Next starts a goroutine that watches the ring's key for deletes
// and derives a watch context it cancels on return, but the goroutine
// selects on the caller's long-lived context; after Next returns, the
// goroutine keeps waiting for events or for the caller's context, and one
// leaks per call.
//
// Fix: the watcher is a helper that receives the watch context, which Next
// cancels with defer.
package bug

import (
	"context"
	"errors"
)

// WatchEvent is one change of a watched key.
type WatchEvent struct {
	Key     string
	Deleted bool
}

// Client stands for the etcd client.
type Client interface {
	Watch(ctx context.Context, key string) <-chan WatchEvent
}

// Ring is a round-robin ring of items stored in etcd.
type Ring struct {
	Name   string
	client Client
	items  []string
}

// ErrEmptyRing is Next's error on a ring with no items.
var ErrEmptyRing = errors.New("ring is empty")

// Next returns the next item of the ring, waiting while the ring is empty.
func (r *Ring) Next(ctx context.Context) (string, error) {
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wc := r.client.Watch(watchCtx, r.Name)
	deletes := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-ctx.Done(): // heldout:site
				return
			case ev := <-wc:
				if ev.Deleted {
					select {
					case deletes <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		if len(r.items) > 0 {
			item := r.items[0]
			r.items = append(r.items[1:], item)
			return item, nil
		}
		select {
		case <-deletes:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
