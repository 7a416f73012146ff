// Package bug is a held-out kernel (issue 14): a cache's GetOrSet that
// replaces an expired entry and returns without releasing the cache's
// mutex.
//
// Upstream: erni27/imcache#66 ("Use `defer` to unlock mutex", fixes erni27/imcache#65)
// Round: 4
//
// Bug: GetOrSet locks the cache and looks the key up. A live entry
// unlocks and returns; a missing key inserts, unlocks and returns; but an
// expired entry is replaced, the eviction callback is started, and the
// method returns with the mutex still locked. Every later call on the
// cache blocks forever. The queue is reduced to a doubly linked list of
// entries; the sliding expiration is left out.
//
// Fix: the PR made every method unlock through defer right after Lock.
package bug

import (
	"sync"
	"time"
)

// EvictionReason says why an entry left the cache.
type EvictionReason int

const (
	EvictionReasonExpired EvictionReason = iota + 1
	EvictionReasonReplaced
)

type entry[K comparable, V any] struct {
	key K
	val V
	exp time.Time
}

func (e entry[K, V]) expired(now time.Time) bool {
	return !e.exp.IsZero() && !now.Before(e.exp)
}

type node[K comparable, V any] struct {
	e          entry[K, V]
	prev, next *node[K, V]
}

type queue[K comparable, V any] struct {
	head, tail *node[K, V]
}

func (q *queue[K, V]) add(e entry[K, V]) *node[K, V] {
	n := &node[K, V]{e: e, prev: q.tail}
	if q.tail != nil {
		q.tail.next = n
	} else {
		q.head = n
	}
	q.tail = n
	return n
}

func (q *queue[K, V]) remove(n *node[K, V]) {
	if n.prev != nil {
		n.prev.next = n.next
	} else {
		q.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else {
		q.tail = n.prev
	}
}

// Cache is a generic in-memory cache.
type Cache[K comparable, V any] struct {
	mu         sync.Mutex
	m          map[K]*node[K, V]
	queue      queue[K, V]
	defaultExp time.Duration
	onEviction func(key K, val V, reason EvictionReason)
}

// New returns an empty cache.
func New[K comparable, V any](defaultExp time.Duration, onEviction func(K, V, EvictionReason)) *Cache[K, V] {
	return &Cache[K, V]{m: make(map[K]*node[K, V]), defaultExp: defaultExp, onEviction: onEviction}
}

func (c *Cache[K, V]) newEntry(key K, val V, now time.Time) entry[K, V] {
	e := entry[K, V]{key: key, val: val}
	if c.defaultExp > 0 {
		e.exp = now.Add(c.defaultExp)
	}
	return e
}

// GetOrSet returns the value for key if present; otherwise it sets and
// returns val. present says whether the value was already there.
func (c *Cache[K, V]) GetOrSet(key K, val V) (v V, present bool) {
	now := time.Now()
	c.mu.Lock() // heldout:site
	currentNode, ok := c.m[key]
	if ok && !currentNode.e.expired(now) {
		v = currentNode.e.val
		c.mu.Unlock()
		return v, true
	}
	if ok {
		c.m[key] = c.queue.add(c.newEntry(key, val, now))
		c.queue.remove(currentNode)
		if c.onEviction != nil {
			go c.onEviction(key, currentNode.e.val, EvictionReasonExpired)
		}
		return val, false // heldout:site
	}
	c.m[key] = c.queue.add(c.newEntry(key, val, now))
	c.mu.Unlock()
	return val, false
}

// Get returns the value for key, if present and not expired.
func (c *Cache[K, V]) Get(key K) (v V, present bool) {
	now := time.Now()
	c.mu.Lock() // heldout:site
	n, ok := c.m[key]
	if !ok || n.e.expired(now) {
		c.mu.Unlock()
		return v, false
	}
	v = n.e.val
	c.mu.Unlock()
	return v, true
}
