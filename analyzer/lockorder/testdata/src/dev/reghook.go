package dev

import "sync"

// Upstream: DataDog/datadog-agent#22898
//
// A configuration store ran its update callbacks while still holding its
// write lock; a callback registered with OnUpdate reads the store back,
// and the read lock waits for the write lock of its own goroutine. The
// callback is a literal converted to a named func type, appended to a
// slice field by the store's own registration method, and it captures
// the very store it is registered with: only that store's slice holds it.
type changeFn func(key string, v any)

type settingsStore struct {
	sync.RWMutex
	vals  map[string]any
	hooks []changeFn
}

func (c *settingsStore) OnChange(fn changeFn) {
	c.Lock()
	defer c.Unlock()
	c.hooks = append(c.hooks, fn)
}

func (c *settingsStore) Set(key string, v any) {
	c.Lock()
	defer c.Unlock()
	c.vals[key] = v
	for _, fn := range c.hooks {
		fn(key, v) // want `c.RWMutex is read-locked inside the function literal \(the callback passed to OnChange at line \d+\).*while this goroutine holds its write lock`
	}
}

func (c *settingsStore) Get(key string) any {
	c.RLock()
	defer c.RUnlock()
	return c.vals[key]
}

func watchLevel(c *settingsStore, apply func(any)) {
	c.OnChange(func(key string, _ any) {
		if key == "level" {
			apply(c.Get("level"))
		}
	})
}

// The fix: the hooks are copied under the lock and run after it.
type settingsStoreOK struct {
	sync.RWMutex
	vals  map[string]any
	hooks []changeFn
}

func (c *settingsStoreOK) OnChange(fn changeFn) {
	c.Lock()
	defer c.Unlock()
	c.hooks = append(c.hooks, fn)
}

func (c *settingsStoreOK) Set(key string, v any) {
	c.Lock()
	c.vals[key] = v
	hooks := append([]changeFn(nil), c.hooks...)
	c.Unlock()
	for _, fn := range hooks {
		fn(key, v)
	}
}

func (c *settingsStoreOK) Get(key string) any {
	c.RLock()
	defer c.RUnlock()
	return c.vals[key]
}

func watchLevelOK(c *settingsStoreOK, apply func(any)) {
	c.OnChange(func(key string, _ any) {
		if key == "level" {
			apply(c.Get("level"))
		}
	})
}

// A variant: handlers kept in a map by name, a plain func type, and a
// mutex field; the handler counts the deliveries through a method that
// takes the same lock.
type hookBus struct {
	mu       sync.Mutex
	handlers map[string]func(ev string)
	count    int
}

func (b *hookBus) Handle(name string, h func(ev string)) {
	b.mu.Lock()
	b.handlers[name] = h
	b.mu.Unlock()
}

func (b *hookBus) Publish(ev string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.handlers {
		h(ev) // want `b.mu is locked again inside the function literal \(the callback passed to Handle at line \d+\)`
	}
}

func (b *hookBus) bump() {
	b.mu.Lock()
	b.count++
	b.mu.Unlock()
}

func countHookEvents(b *hookBus) {
	b.Handle("count", func(string) { b.bump() })
}

// A variant: the object registers its own method value, and the hooks
// run through an index loop.
type idlePool struct {
	mu      sync.Mutex
	onIdle  []func()
	idle    int
	reports int
}

func (p *idlePool) AddIdleHook(h func()) {
	p.mu.Lock()
	p.onIdle = append(p.onIdle, h)
	p.mu.Unlock()
}

func (p *idlePool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle++
	for i := 0; i < len(p.onIdle); i++ {
		p.onIdle[i]() // want `p.mu is locked again inside p.report \(the callback passed to AddIdleHook at line \d+\)`
	}
}

func (p *idlePool) report() {
	p.mu.Lock()
	p.reports++
	p.mu.Unlock()
}

func newIdlePool() *idlePool {
	p := &idlePool{}
	p.AddIdleHook(p.report)
	return p
}

// A look-alike: the callback captures another store than the one it is
// registered with, so it may lock a store nobody holds.
type mirrorCfg struct {
	sync.RWMutex
	vals  map[string]any
	hooks []changeFn
}

func (c *mirrorCfg) OnChange(fn changeFn) {
	c.Lock()
	defer c.Unlock()
	c.hooks = append(c.hooks, fn)
}

func (c *mirrorCfg) Set(key string, v any) {
	c.Lock()
	defer c.Unlock()
	c.vals[key] = v
	for _, fn := range c.hooks {
		fn(key, v)
	}
}

func (c *mirrorCfg) Get(key string) any {
	c.RLock()
	defer c.RUnlock()
	return c.vals[key]
}

func followCfg(src, dst *mirrorCfg) {
	src.OnChange(func(key string, _ any) {
		_ = dst.Get(key)
	})
}
