package dev

import "sync"

// Upstream: Govcraft/emergent#50
//
// A client opens a stream whose constructor keeps an onClose callback;
// the callback the client passes captures the client and locks it, and
// the client keeps the stream in its own field. The read loop closes the
// stream while holding the client's lock: the stream's Close runs the
// callback, which locks the very client again. The callback captures the
// value whose field then holds the object the constructor made, so what
// it locks is that owner's lock. Fix: detach the stream under the lock
// and close it after unlocking.
type ownedStream struct {
	mu      sync.Mutex
	closed  bool
	onClose func()
}

func newOwnedStream(onClose func()) *ownedStream {
	return &ownedStream{onClose: onClose}
}

func (s *ownedStream) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	if s.onClose != nil {
		s.onClose()
	}
}

type streamClient struct {
	mu     sync.Mutex
	stream *ownedStream
}

func (c *streamClient) subscribe() {
	st := newOwnedStream(func() {
		c.mu.Lock()
		c.stream = nil
		c.mu.Unlock()
	})
	c.mu.Lock()
	c.stream = st
	c.mu.Unlock()
}

func (c *streamClient) onEOF() {
	c.mu.Lock()
	if c.stream != nil {
		c.stream.Close() // want `c.mu is locked again inside`
		c.stream = nil
	}
	c.mu.Unlock()
}

// The fix: the stream is detached under the lock and closed after it.
func (c *streamClient) onEOFFixed() {
	c.mu.Lock()
	st := c.stream
	c.stream = nil
	c.mu.Unlock()
	if st != nil {
		st.Close()
	}
}

// Upstream: hashicorp/golang-lru#233
//
// Written differently: a cache calls its eviction callback from a helper
// that runs with the cache's lock held; the callback the tracker installs
// reads the cache's length through the tracker's own field, which is the
// cache the constructor returned. Fix: evict under the lock, call the
// callback after unlocking.
type evictCache struct {
	mu      sync.Mutex
	items   map[string]int
	onEvict func(key string)
}

func newEvictCache(onEvict func(key string)) *evictCache {
	c := &evictCache{items: map[string]int{}}
	c.onEvict = onEvict
	return c
}

func (c *evictCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// removeLocked runs with c.mu held.
func (c *evictCache) removeLocked(key string) {
	delete(c.items, key)
	if c.onEvict != nil {
		c.onEvict(key)
	}
}

func (c *evictCache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeLocked(key) // want `c.mu is locked again inside c.removeLocked`
}

type sessionCount struct {
	cache *evictCache
	live  int
}

func newSessionCount() *sessionCount {
	t := &sessionCount{}
	t.cache = newEvictCache(func(string) {
		t.live = t.cache.Len()
	})
	return t
}

// The look-alike: the callback captures the object that keeps the cache,
// but reads the length of its other cache, made without a callback: a
// different instance, nothing is locked twice.
type lenCache struct {
	mu      sync.Mutex
	items   map[string]int
	onEvict func(key string)
}

func newLenCache(onEvict func(key string)) *lenCache {
	return &lenCache{items: map[string]int{}, onEvict: onEvict}
}

func (c *lenCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *lenCache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, key)
	if c.onEvict != nil {
		c.onEvict(key)
	}
}

type pairCache struct {
	primary, backup *lenCache
	size            int
}

func newPairCache() *pairCache {
	p := &pairCache{backup: &lenCache{items: map[string]int{}}}
	p.primary = newLenCache(func(string) {
		p.size = p.backup.Len()
	})
	return p
}

// The same through a generic cache: the call of the constructor's
// instance (newTypedCache[string]) is a call of its generic body, which
// stores the callback.
type typedCache[K comparable] struct {
	mu      sync.Mutex
	items   map[K]int
	onEvict func(K)
}

func newTypedCache[K comparable](onEvict func(K)) *typedCache[K] {
	return &typedCache[K]{items: map[K]int{}, onEvict: onEvict}
}

func (c *typedCache[K]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *typedCache[K]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.items {
		delete(c.items, k)
		c.onEvict(k) // want `t.sessions.mu is locked again inside the function literal \(the callback passed to newTypedCache`
	}
}

type typedTracker struct {
	sessions *typedCache[string]
	left     int
}

func newTypedTracker() *typedTracker {
	t := &typedTracker{}
	t.sessions = newTypedCache[string](func(string) { t.left = t.sessions.Len() })
	return t
}
