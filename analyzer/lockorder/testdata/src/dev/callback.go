package dev

import "sync"

// Upstream: prometheus/alertmanager#3715
//
// The alert store called, under its mutex, a garbage-collection callback
// the provider registered through a setter; the callback locks the
// provider. The provider's Subscribe held its own lock while it listed the
// store (taking the store's mutex). The store's constructor also sets the
// field, to a no-op default: a function that locks nothing does not hide
// the registered one. Fix: gc releases the store's mutex before calling
// the callback.
type alertStore struct {
	sync.Mutex
	alerts map[int]string
	onGC   func([]int)
}

func newAlertStore() *alertStore {
	return &alertStore{alerts: map[int]string{}, onGC: func([]int) {}}
}

func (s *alertStore) setOnGC(f func([]int)) {
	s.Lock()
	defer s.Unlock()
	s.onGC = f
}

func (s *alertStore) gc() {
	s.Lock()
	defer s.Unlock()
	var gone []int
	for id := range s.alerts {
		delete(s.alerts, id)
		gone = append(gone, id)
	}
	s.onGC(gone) // want `lock order inversion by lock class: gc locks s.Mutex .* then p.mtx inside the function literal \(the callback passed to setOnGC .*while subscribe locks p.mtx .* then p.store.Mutex`
}

func (s *alertStore) list() []string {
	s.Lock()
	defer s.Unlock()
	var out []string
	for _, a := range s.alerts {
		out = append(out, a)
	}
	return out
}

type provider struct {
	store     *alertStore
	mtx       sync.Mutex
	listeners int
}

func newProvider() *provider {
	p := &provider{store: newAlertStore()}
	p.store.setOnGC(func(gone []int) {
		p.mtx.Lock()
		defer p.mtx.Unlock()
		p.listeners -= len(gone)
	})
	return p
}

func (p *provider) subscribe() []string {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.listeners++
	return p.store.list()
}

// The fix: the callback runs after the store's mutex is released.
type alertStoreOK struct {
	sync.Mutex
	alerts map[int]string
	onGC   func([]int)
}

func newAlertStoreOK() *alertStoreOK {
	return &alertStoreOK{alerts: map[int]string{}, onGC: func([]int) {}}
}

func (s *alertStoreOK) setOnGC(f func([]int)) {
	s.Lock()
	defer s.Unlock()
	s.onGC = f
}

func (s *alertStoreOK) gc() {
	s.Lock()
	var gone []int
	for id := range s.alerts {
		delete(s.alerts, id)
		gone = append(gone, id)
	}
	cb := s.onGC
	s.Unlock()
	cb(gone)
}

func (s *alertStoreOK) list() []string {
	s.Lock()
	defer s.Unlock()
	var out []string
	for _, a := range s.alerts {
		out = append(out, a)
	}
	return out
}

type providerOK struct {
	store     *alertStoreOK
	mtx       sync.Mutex
	listeners int
}

func newProviderOK() *providerOK {
	p := &providerOK{store: newAlertStoreOK()}
	p.store.setOnGC(func(gone []int) {
		p.mtx.Lock()
		defer p.mtx.Unlock()
		p.listeners -= len(gone)
	})
	return p
}

func (p *providerOK) subscribe() []string {
	p.mtx.Lock()
	defer p.mtx.Unlock()
	p.listeners++
	return p.store.list()
}

// A variant written differently: the default is a named no-op function,
// the real callback a method value passed to the constructor, and the
// inverse order goes through a package-level index.
type lru struct {
	mu      sync.Mutex
	items   map[string]int
	onEvict func(string)
}

func nopEvict(string) {}

func newLRU(onEvict func(string)) *lru {
	c := &lru{items: map[string]int{}, onEvict: nopEvict}
	if onEvict != nil {
		c.onEvict = onEvict
	}
	return c
}

func (c *lru) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[k]
}

func (c *lru) evict(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
	c.onEvict(k) // want `lock order inversion by lock class: evict locks c.mu .* then x.mu inside forget \(the callback passed to newLRU .*while lookup locks x.mu .* then x.cache.mu`
}

type index struct {
	mu    sync.Mutex
	keys  map[string]bool
	cache *lru
}

func (x *index) forget(k string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.keys, k)
}

func newIndex() *index {
	x := &index{keys: map[string]bool{}}
	x.cache = newLRU(x.forget)
	return x
}

func (x *index) lookup(k string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.keys[k] {
		return 0
	}
	return x.cache.get(k)
}

// The look-alike: the default no-op is the only callback (the index
// passes none), so evicting under the cache's lock takes nothing else.
type lruOK struct {
	mu      sync.Mutex
	items   map[string]int
	onEvict func(string)
}

func nopEvictOK(string) {}

func newLRUOK(onEvict func(string)) *lruOK {
	c := &lruOK{items: map[string]int{}, onEvict: nopEvictOK}
	if onEvict != nil {
		c.onEvict = onEvict
	}
	return c
}

func (c *lruOK) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[k]
}

func (c *lruOK) evict(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.items, k)
	c.onEvict(k)
}

type indexOK struct {
	mu    sync.Mutex
	keys  map[string]bool
	cache *lruOK
}

func newIndexOK() *indexOK {
	return &indexOK{keys: map[string]bool{}, cache: newLRUOK(nil)}
}

func (x *indexOK) lookup(k string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.keys[k] {
		return 0
	}
	return x.cache.get(k)
}
