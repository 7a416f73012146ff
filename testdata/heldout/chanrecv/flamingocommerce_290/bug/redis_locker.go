// Package bug is a held-out kernel (issue 14): a distributed lock whose
// refresh goroutine ranges over a ticker's channel, which Stop does not
// close, so every unlocked lock leaves its refresher waiting forever.
//
// Upstream: i-love-flamingo/flamingo-commerce#290 ("checkout: resolve goroutine leak in redis locker")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: TryLock acquires the key and starts a goroutine that extends the
// lock on every tick of a ticker with "for range ticker.C". The unlock
// function stops the ticker and deletes the key; but Stop does not close
// ticker.C, so the range never ends and the refresher blocks receiving
// forever, one goroutine per lock taken. The PR states the cause; the
// Redis client is an interface in our reduction.
//
// Fix: unlock also closes a done channel, and the refresher selects on
// done and the ticker.
package bug

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
	go func() {
		for range ticker.C { // heldout:site
			_ = r.client.PExpire(context.Background(), key, maxLockDuration)
		}
	}()

	return func() error {
		ticker.Stop() // heldout:site
		return r.client.Del(context.Background(), key)
	}, nil
}
