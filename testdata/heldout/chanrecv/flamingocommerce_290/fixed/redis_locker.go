// Package fixed is the fixed version of chanrecv/flamingocommerce_290: the
// refresher also stops when unlock closes done.
package fixed

import (
	"context"
	"errors"
	"time"
)

// ErrLockTaken is returned when another owner holds the key.
var ErrLockTaken = errors.New("lock already taken")

// Unlock releases a lock.
type Unlock func() error

// Client is the part of the Redis client the locker uses.
type Client interface {
	SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error)
	PExpire(ctx context.Context, key string, ttl time.Duration) error
	Del(ctx context.Context, key string) error
}

// Redis is a locker backed by Redis keys.
type Redis struct {
	client   Client
	identity string
}

// NewRedis returns a locker that owns its keys as identity.
func NewRedis(client Client, identity string) *Redis {
	return &Redis{client: client, identity: identity}
}

// TryLock takes key for maxLockDuration, refreshing it until unlocked.
func (r *Redis) TryLock(ctx context.Context, key string, maxLockDuration time.Duration) (Unlock, error) {
	ok, err := r.client.SetNX(ctx, key, r.identity, maxLockDuration)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrLockTaken
	}

	ticker := time.NewTicker(maxLockDuration / 3)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				_ = r.client.PExpire(context.Background(), key, maxLockDuration)
			}
		}
	}()

	return func() error {
		ticker.Stop()
		close(done)
		return r.client.Del(context.Background(), key)
	}, nil
}
