// Package fixed is the fixed version of context/sensu_1749: the watcher
// runs on the watch context that Next cancels when it returns.
package fixed

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

// notifyDeletes signals on the returned channel for each delete, until ctx
// is done.
func notifyDeletes(ctx context.Context, wc <-chan WatchEvent) <-chan struct{} {
	deletes := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-ctx.Done():
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
	return deletes
}

// Next returns the next item of the ring, waiting while the ring is empty.
func (r *Ring) Next(ctx context.Context) (string, error) {
	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	wc := r.client.Watch(watchCtx, r.Name)
	wait := notifyDeletes(watchCtx, wc)
	for {
		if err := watchCtx.Err(); err != nil {
			return "", err
		}
		if len(r.items) > 0 {
			item := r.items[0]
			r.items = append(r.items[1:], item)
			return item, nil
		}
		select {
		case <-wait:
		case <-watchCtx.Done():
			return "", watchCtx.Err()
		}
	}
}
