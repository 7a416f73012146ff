// Package bug is a held-out kernel (issue 14): an expirable LRU cache
// that calls the user's eviction callback from removeElement with its
// mutex held; a callback that re-enters the cache (here to read its
// length for bookkeeping) locks the same mutex and the evicting
// goroutine (Remove, Add's size eviction, Purge or the TTL cleaner)
// blocks on itself for ever.
//
// Upstream: hashicorp/golang-lru#233 ("fix: invoke expirable onEvict callbacks outside the cache lock")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: issue #230: "expirable.LRU invokes onEvict while holding c.mu, so a
// callback that touches the cache deadlocks"; its reproduction calls
// lru.Len() from the callback and hangs in Remove -> removeElement ->
// onEvict -> Len -> c.mu.Lock. removeElement is documented "Has to be
// called with lock!" and is reached from Add, Remove, RemoveOldest, Purge
// and deleteExpired. The internal list is container/list here, and the
// expiry buckets are reduced to one slice of maps.
//
// Fix: removeElement no longer calls onEvict; the paths that evict
// collect the evicted entries under the lock and call onEvict after
// unlocking, before the method returns, as the non-expirable lru.Cache
// already did.
package bug

import (
	"container/list"
	"sync"
	"time"
)

const numBuckets = 100

// EvictCallback is called when an entry leaves the cache.
type EvictCallback[K comparable, V any] func(key K, value V)

type entry[K comparable, V any] struct {
	key           K
	value         V
	expiresAt     time.Time
	expiresBucket uint8
}

type bucket[K comparable, V any] struct {
	entries     map[K]*list.Element
	newestEntry time.Time
}

// LRU is a thread-safe LRU cache whose entries expire after ttl.
type LRU[K comparable, V any] struct {
	size      int
	evictList *list.List
	items     map[K]*list.Element
	onEvict   EvictCallback[K, V]

	mu   sync.Mutex
	ttl  time.Duration
	done chan struct{}

	buckets           []bucket[K, V]
	nextCleanupBucket uint8
}

// NewLRU returns a cache of size entries that expire after ttl; a
// goroutine removes expired entries until Close.
func NewLRU[K comparable, V any](size int, onEvict EvictCallback[K, V], ttl time.Duration) *LRU[K, V] {
	c := &LRU[K, V]{
		size:      size,
		evictList: list.New(),
		items:     make(map[K]*list.Element),
		onEvict:   onEvict,
		ttl:       ttl,
		done:      make(chan struct{}),
		buckets:   make([]bucket[K, V], numBuckets),
	}
	for i := range c.buckets {
		c.buckets[i] = bucket[K, V]{entries: make(map[K]*list.Element)}
	}
	go func(done <-chan struct{}) {
		ticker := time.NewTicker(c.ttl / numBuckets)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
				c.deleteExpired()
			}
		}
	}(c.done)
	return c
}

// Close stops the cleanup goroutine.
func (c *LRU[K, V]) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
	default:
		close(c.done)
	}
}

// Add adds a value, evicting the oldest if the cache is full.
func (c *LRU[K, V]) Add(key K, value V) (evicted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if el, ok := c.items[key]; ok {
		c.removeFromBucket(el)
		c.evictList.MoveToFront(el)
		ent := el.Value.(*entry[K, V])
		ent.value, ent.expiresAt = value, now.Add(c.ttl)
		c.addToBucket(el)
		return false
	}
	el := c.evictList.PushFront(&entry[K, V]{key: key, value: value, expiresAt: now.Add(c.ttl)})
	c.items[key] = el
	c.addToBucket(el)
	evict := c.size > 0 && c.evictList.Len() > c.size
	if evict {
		c.removeOldest()
	}
	return evict
}

// Get returns the value for key if it is present and not expired.
func (c *LRU[K, V]) Get(key K) (value V, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, found := c.items[key]; found {
		ent := el.Value.(*entry[K, V])
		if time.Now().After(ent.expiresAt) {
			return value, false
		}
		c.evictList.MoveToFront(el)
		return ent.value, true
	}
	return value, false
}

// Remove removes key, reporting whether it was present.
func (c *LRU[K, V]) Remove(key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeElement(el) // heldout:site
		return true
	}
	return false
}

// Purge removes every entry.
func (c *LRU[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.items {
		c.removeElement(el)
	}
}

// Len returns the number of entries.
func (c *LRU[K, V]) Len() int {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	return c.evictList.Len()
}

// removeOldest removes the least recently used entry; c.mu is held.
func (c *LRU[K, V]) removeOldest() {
	if el := c.evictList.Back(); el != nil {
		c.removeElement(el)
	}
}

// removeElement removes el from the cache. Has to be called with lock!
func (c *LRU[K, V]) removeElement(el *list.Element) {
	ent := el.Value.(*entry[K, V])
	c.evictList.Remove(el)
	delete(c.items, ent.key)
	c.removeFromBucket(el)
	if c.onEvict != nil {
		c.onEvict(ent.key, ent.value) // heldout:site
	}
}

// deleteExpired removes the entries of the next bucket once they expire.
func (c *LRU[K, V]) deleteExpired() {
	c.mu.Lock()
	idx := c.nextCleanupBucket
	if wait := time.Until(c.buckets[idx].newestEntry); wait > 0 {
		c.mu.Unlock()
		time.Sleep(wait)
		c.mu.Lock()
	}
	for _, el := range c.buckets[idx].entries {
		c.removeElement(el)
	}
	c.nextCleanupBucket = (c.nextCleanupBucket + 1) % numBuckets
	c.mu.Unlock()
}

// addToBucket files el under the bucket its expiry falls in; c.mu is held.
func (c *LRU[K, V]) addToBucket(el *list.Element) {
	ent := el.Value.(*entry[K, V])
	ent.expiresBucket = (c.nextCleanupBucket + numBuckets - 1) % numBuckets
	c.buckets[ent.expiresBucket].entries[ent.key] = el
	if c.buckets[ent.expiresBucket].newestEntry.Before(ent.expiresAt) {
		c.buckets[ent.expiresBucket].newestEntry = ent.expiresAt
	}
}

// removeFromBucket forgets el's bucket entry; c.mu is held.
func (c *LRU[K, V]) removeFromBucket(el *list.Element) {
	ent := el.Value.(*entry[K, V])
	delete(c.buckets[ent.expiresBucket].entries, ent.key)
}

// SessionTracker keeps a cache of sessions and counts what is left after
// each eviction, re-entering the cache from the callback.
type SessionTracker struct {
	sessions *LRU[string, string]
	live     int
}

// NewSessionTracker returns a tracker of at most size sessions.
func NewSessionTracker(size int, ttl time.Duration) *SessionTracker {
	t := &SessionTracker{}
	t.sessions = NewLRU[string, string](size, func(id, user string) {
		t.live = t.sessions.Len()
	}, ttl)
	return t
}

// Logout ends a session.
func (t *SessionTracker) Logout(id string) bool { return t.sessions.Remove(id) }
