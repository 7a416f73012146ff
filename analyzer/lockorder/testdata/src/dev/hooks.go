package dev

import "sync"

// The registry of oxia-db/oxia#350 written with the callbacks themselves
// kept in a container: a slice of functions appended by a registration
// method and called in turn while the registry's lock is held. A
// component registers a hook that locks it, and registers another hook
// while holding its own lock: the two orders meet.
type shutdownHooks struct {
	mu    sync.Mutex
	hooks []func()
}

func (s *shutdownHooks) onShutdown(fn func()) {
	s.mu.Lock()
	s.hooks = append(s.hooks, fn)
	s.mu.Unlock()
}

func (s *shutdownHooks) run() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, fn := range s.hooks {
		fn() // want `lock order inversion by lock class: run locks s.mu .* then .*mu inside .*while addWorker locks p.mu .* then p.hooks.mu`
	}
}

type workerPool struct {
	mu      sync.Mutex
	hooks   *shutdownHooks
	workers int
}

func (p *workerPool) stopAll() {
	p.mu.Lock()
	p.workers = 0
	p.mu.Unlock()
}

func newWorkerPool(h *shutdownHooks) *workerPool {
	p := &workerPool{hooks: h}
	h.onShutdown(p.stopAll)
	h.onShutdown(func() {}) // a no-op hook does not hide the others
	return p
}

func (p *workerPool) addWorker() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workers++
	id := p.workers
	p.hooks.onShutdown(func() { println("worker", id, "stopped") })
}

// A third writing: handlers kept in a map by event name, put there
// directly by a closure-taking method, looked up and run under a read
// lock; the other order comes from a method that holds the handler's lock
// while it replaces a handler.
type dispatcher struct {
	mu       sync.RWMutex
	handlers map[string]func(payload string)
}

func newDispatcher() *dispatcher {
	return &dispatcher{handlers: make(map[string]func(payload string))}
}

func (d *dispatcher) handle(event string, h func(payload string)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.handlers[event] = h
}

func (d *dispatcher) dispatch(event, payload string) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if h, ok := d.handlers[event]; ok {
		h(payload) // want `lock order inversion by lock class: dispatch locks d.mu .* then a.mu inside the function literal .*while rebind locks a.mu .* then a.d.mu`
	}
}

type auditLog struct {
	mu    sync.Mutex
	d     *dispatcher
	lines []string
}

func newAuditLog(d *dispatcher) *auditLog {
	a := &auditLog{d: d}
	d.handle("audit", func(p string) {
		a.mu.Lock()
		a.lines = append(a.lines, p)
		a.mu.Unlock()
	})
	return a
}

func (a *auditLog) rebind(event string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.lines = nil
	a.d.handle(event, func(string) {})
}

// Look-alikes that must stay silent. The hooks are copied under the lock
// and run after it is released (the usual fix):
func (s *shutdownHooks) runCopy() {
	s.mu.Lock()
	hooks := append([]func(){}, s.hooks...)
	s.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}

// and a container the package fills with functions it cannot name (its
// caller's) runs nothing known.
type plugins struct {
	mu    sync.Mutex
	funcs []func()
}

func (p *plugins) load(fns []func()) {
	p.mu.Lock()
	p.funcs = fns
	p.mu.Unlock()
}

func (p *plugins) add(fn func()) {
	p.mu.Lock()
	p.funcs = append(p.funcs, fn)
	p.mu.Unlock()
}

func (p *plugins) runAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, fn := range p.funcs {
		fn()
	}
}

type pluginHost struct {
	mu      sync.Mutex
	plugins *plugins
	n       int
}

func (h *pluginHost) count() {
	h.mu.Lock()
	h.n++
	h.mu.Unlock()
}

func (h *pluginHost) register() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.plugins.add(h.count)
}
