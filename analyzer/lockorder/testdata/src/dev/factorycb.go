package dev

import "sync"

// Upstream: didip/tollbooth#107
//
// A rate limiter ran the callback its users set for rejected requests
// while holding its own read lock; a callback that labels a metric with
// the limiter's status code calls its getter, which read-locks the
// limiter again. A request creating its token bucket takes the write
// lock: queued between the two read locks, it blocks them both. The
// package itself makes such callbacks for its users, for a given
// limiter. Fix: copy the callback under the read lock, call it after.
type rateLimiter struct {
	sync.RWMutex
	status   int
	buckets  map[string]int
	rejected func(key string)
}

// SetRejected sets the function called for a rejected key.
func (l *rateLimiter) SetRejected(fn func(key string)) {
	l.Lock()
	l.rejected = fn
	l.Unlock()
}

func (l *rateLimiter) statusCode() int {
	l.RLock()
	defer l.RUnlock()
	return l.status
}

func (l *rateLimiter) take(key string) bool {
	l.Lock()
	defer l.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]int{}
	}
	l.buckets[key]++
	return l.buckets[key] > 10
}

func (l *rateLimiter) reject(key string) {
	l.RLock()
	defer l.RUnlock()
	if fn := l.rejected; fn != nil {
		fn(key) // want `l.RWMutex is read-locked again inside the function literal \(made by countRejected for the object whose callback it is\)`
	}
}

func (l *rateLimiter) rejectFixed(key string) {
	l.RLock()
	fn := l.rejected
	l.RUnlock()
	if fn != nil {
		fn(key)
	}
}

func countRejected(l *rateLimiter, count func(code int, key string)) func(key string) {
	return func(key string) {
		count(l.statusCode(), key)
	}
}

// The same bug written another way: a named callback type filled by an
// exported constructor, the factory a method of another type taking the
// object as a later argument, and the lock a named field reached through
// the getter of an embedded struct.
type OnEvict func(id int)

type cacheCore struct {
	mu   sync.RWMutex
	size int
}

func (c *cacheCore) Size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.size
}

type lruCache struct {
	cacheCore
	items   map[int]string
	onEvict OnEvict
}

// NewLRU makes a cache that calls evicted for every evicted id.
func NewLRU(evicted OnEvict) *lruCache {
	return &lruCache{items: map[int]string{}, onEvict: evicted}
}

func (c *lruCache) evict(id int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	c.onEvict(id) // want `c.cacheCore.mu is read-locked again inside the function literal \(made by evictLogger for the object whose callback it is\)`
}

func (c *lruCache) put(id int, v string) {
	c.mu.Lock()
	c.items[id] = v
	c.size = len(c.items)
	c.mu.Unlock()
}

type evictStats struct{ evicted []int }

func (s *evictStats) evictLogger(prefix string, c *lruCache) OnEvict {
	return func(id int) {
		s.evicted = append(s.evicted, id, c.Size())
	}
}

// Look-alikes that must stay silent: a factory for an object of another
// type runs on that object, not the one read-locked,
type meterSet struct {
	sync.RWMutex
	n int
}

func (m *meterSet) count() int {
	m.RLock()
	defer m.RUnlock()
	return m.n
}

type slowLog struct {
	sync.RWMutex
	onSlow func(ms int)
	lines  []int
}

// SetOnSlow sets the function called for a slow request.
func (s *slowLog) SetOnSlow(fn func(ms int)) {
	s.Lock()
	s.onSlow = fn
	s.Unlock()
}

func (s *slowLog) record(ms int) {
	s.RLock()
	defer s.RUnlock()
	s.onSlow(ms)
}

func (s *slowLog) add(ms int) {
	s.Lock()
	s.lines = append(s.lines, ms)
	s.Unlock()
}

func slowCounter(m *meterSet) func(ms int) {
	return func(ms int) { _ = m.count() + ms }
}

// and a field the package fills itself runs what it is filled with, not
// what a factory makes.
type retryQueue struct {
	sync.RWMutex
	onDrop func(id int)
	ids    []int
}

func newRetryQueue() *retryQueue {
	q := &retryQueue{}
	q.onDrop = func(int) {}
	return q
}

// SetOnDrop sets the function called for a dropped id.
func (q *retryQueue) SetOnDrop(fn func(id int)) { q.onDrop = fn }

func (q *retryQueue) length() int {
	q.RLock()
	defer q.RUnlock()
	return len(q.ids)
}

func (q *retryQueue) drop(id int) {
	q.RLock()
	defer q.RUnlock()
	q.onDrop(id)
}

func (q *retryQueue) push(id int) {
	q.Lock()
	q.ids = append(q.ids, id)
	q.Unlock()
}

func dropLogger(q *retryQueue) func(id int) {
	return func(id int) { println(id, q.length()) }
}

// A third writing: the callback is an exported field its users set
// directly, and the package's factory takes the object first and some
// options after it.
type Throttle struct {
	mu      sync.RWMutex
	limit   int
	waiting int
	OnLimit func(waiting int)
}

// Limit returns the throttle's limit.
func (t *Throttle) Limit() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.limit
}

// SetLimit changes the throttle's limit.
func (t *Throttle) SetLimit(n int) {
	t.mu.Lock()
	t.limit = n
	t.mu.Unlock()
}

func (t *Throttle) over() {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.OnLimit != nil && t.waiting > t.limit {
		t.OnLimit(t.waiting) // want `t.mu is read-locked again inside the function literal \(made by LogOverLimit for the object whose callback it is\)`
	}
}

// LogOverLimit makes an OnLimit callback for t that reports t's limit.
func LogOverLimit(t *Throttle, prefix string) func(int) {
	return func(waiting int) {
		println(prefix, waiting, "over", t.Limit())
	}
}
