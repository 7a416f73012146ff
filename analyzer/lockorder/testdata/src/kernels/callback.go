package kernels

import "sync"

// K22. keybase/kbfs#250: the block cache passed its onEvict method to the
// LRU it built; the LRU called it while holding its internal lock, and
// onEvict took the cache's bytesLock, while makeRoomForSize held bytesLock
// and asked the LRU for its length, which takes the LRU's lock: the two
// locks in both orders. Fix: read the length outside bytesLock.
type k22LRU struct {
	mu      sync.Mutex
	onEvict func(k int)
	keys    []int
}

func k22NewLRU(onEvict func(k int)) *k22LRU { return &k22LRU{onEvict: onEvict} }

func (l *k22LRU) Add(k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, k)
	if len(l.keys) > 16 {
		l.onEvict(l.keys[0]) // want `lock order inversion by lock class: Add locks l.mu \(line \d+\) then b.bytesLock inside onEvict \(the callback passed to k22NewLRU at line \d+\)`
		l.keys = l.keys[1:]
	}
}

func (l *k22LRU) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

type k22BlockCache struct {
	bytesLock      sync.Mutex
	cleanBytes     int
	cleanTransient *k22LRU
}

func k22NewBlockCache() *k22BlockCache {
	b := &k22BlockCache{}
	b.cleanTransient = k22NewLRU(b.onEvict)
	return b
}

func (b *k22BlockCache) onEvict(k int) {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	b.cleanBytes -= k
}

func (b *k22BlockCache) makeRoomForSize(size int) bool {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	return b.cleanBytes+size < 1<<20 || b.cleanTransient.Len() == 0
}

// The fix: the length is read before bytesLock is taken.
type k22BlockCacheFixed struct {
	bytesLock      sync.Mutex
	cleanBytes     int
	cleanTransient *k22LRUFixed
}

type k22LRUFixed struct {
	mu      sync.Mutex
	onEvict func(k int)
	keys    []int
}

func k22NewLRUFixed(onEvict func(k int)) *k22LRUFixed { return &k22LRUFixed{onEvict: onEvict} }

func (l *k22LRUFixed) Add(k int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, k)
	if len(l.keys) > 16 {
		l.onEvict(l.keys[0])
		l.keys = l.keys[1:]
	}
}

func (l *k22LRUFixed) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func k22NewBlockCacheFixed() *k22BlockCacheFixed {
	b := &k22BlockCacheFixed{}
	b.cleanTransient = k22NewLRUFixed(b.onEvict)
	return b
}

func (b *k22BlockCacheFixed) onEvict(k int) {
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	b.cleanBytes -= k
}

func (b *k22BlockCacheFixed) makeRoomForSize(size int) bool {
	empty := b.cleanTransient.Len() == 0
	b.bytesLock.Lock()
	defer b.bytesLock.Unlock()
	return b.cleanBytes+size < 1<<20 || empty
}

// K23. buildbuddy-io/buildbuddy#5532: memory maps shared one LRU whose
// eviction callback unmapped the evicted map under that map's mutex.
// Unmap held a map's mutex and removed it from the LRU (the LRU's lock),
// while initMap of another map added to the LRU, which evicted the first
// map under the LRU's lock and locked its mutex: the two in both orders.
// Fix: the callback unmaps in the background.
type k23LRU struct {
	mu      sync.Mutex
	onEvict func(m *k23Mmap)
	items   []*k23Mmap
}

func k23NewLRU(onEvict func(m *k23Mmap)) *k23LRU { return &k23LRU{onEvict: onEvict} }

func (l *k23LRU) Add(m *k23Mmap) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, m)
	if len(l.items) > 8 {
		old := l.items[0]
		l.items = l.items[1:]
		l.onEvict(old) // want `lock order inversion by lock class: Add locks l.mu \(line \d+\) then l.items\[0\].mu inside the function literal \(the callback passed to k23NewLRU at line \d+\)`
	}
}

func (l *k23LRU) Remove(m *k23Mmap) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.items {
		if x == m {
			l.items = append(l.items[:i], l.items[i+1:]...)
			return
		}
	}
}

type k23Mmap struct {
	mu     sync.Mutex
	mapped bool
	lru    *k23LRU
}

func (m *k23Mmap) unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mapped = false
}

func (m *k23Mmap) Unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Remove(m)
	m.mapped = false
}

func (m *k23Mmap) initMap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mapped = true
	m.lru.Add(m)
}

func k23NewShared() *k23LRU {
	return k23NewLRU(func(m *k23Mmap) { m.unmap() })
}

// The fix: the eviction callback unmaps in a goroutine of its own.
type k23LRUFixed struct {
	mu      sync.Mutex
	onEvict func(m *k23MmapFixed)
	items   []*k23MmapFixed
}

func k23NewLRUFixed(onEvict func(m *k23MmapFixed)) *k23LRUFixed {
	return &k23LRUFixed{onEvict: onEvict}
}

func (l *k23LRUFixed) Add(m *k23MmapFixed) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, m)
	if len(l.items) > 8 {
		old := l.items[0]
		l.items = l.items[1:]
		l.onEvict(old)
	}
}

func (l *k23LRUFixed) Remove(m *k23MmapFixed) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = l.items[:0]
}

type k23MmapFixed struct {
	mu     sync.Mutex
	mapped bool
	lru    *k23LRUFixed
}

func (m *k23MmapFixed) unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mapped = false
}

func (m *k23MmapFixed) Unmap() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lru.Remove(m)
	m.mapped = false
}

func k23NewSharedFixed() *k23LRUFixed {
	return k23NewLRUFixed(func(m *k23MmapFixed) { go m.unmap() })
}
