package dev

import "sync"

// Upstream: nats-io/nats-server#6460
//
// A consumer becoming leader held its own lock while it asked the stream
// layer whether it ran clustered (read-locking the stream layer's lock);
// the stream layer, applying an assignment, held its lock while it asked
// a consumer looked up in its map whether it led (read-locking that
// consumer's lock). The consumer reached through the map has no instance
// of its own, so the order is by lock class. Fix: the consumer reads the
// clustered state before it takes its lock.
type layer struct {
	mu        sync.RWMutex
	clustered bool
	members   map[string]*member
}

func (l *layer) isClustered() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.clustered
}

type member struct {
	mu     sync.RWMutex
	l      *layer
	leader bool
}

func (m *member) isLeader() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.leader
}

func (m *member) becomeLeader() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.l.isClustered() { // want `lock order inversion by lock class: becomeLeader locks m.mu .* then m.l.mu inside m.l.isClustered .*while assign locks l.mu .* then m.mu`
		m.leader = true
	}
}

func (l *layer) assign(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.members[name]; m != nil && m.isLeader() {
		l.clustered = true
	}
}

// The fix: the layer is asked before the member's lock is taken.
type layerOK struct {
	mu        sync.RWMutex
	clustered bool
	members   map[string]*memberOK
}

func (l *layerOK) isClustered() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.clustered
}

type memberOK struct {
	mu     sync.RWMutex
	l      *layerOK
	leader bool
}

func (m *memberOK) isLeader() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.leader
}

func (m *memberOK) becomeLeader() {
	clustered := m.l.isClustered()
	m.mu.Lock()
	defer m.mu.Unlock()
	if clustered {
		m.leader = true
	}
}

func (l *layerOK) assign(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := l.members[name]; m != nil && m.isLeader() {
		l.clustered = true
	}
}

// A variant written differently: a registry walks the workers of its
// slice under its lock and pokes each (taking the worker's lock), while a
// worker stopping holds its lock and unregisters itself (taking the
// registry's).
type registry struct {
	lock    sync.Mutex
	workers []*worker
}

type worker struct {
	lock sync.Mutex
	reg  *registry
	hits int
}

func (w *worker) poke() {
	w.lock.Lock()
	w.hits++
	w.lock.Unlock()
}

func (r *registry) remove(w *worker) {
	r.lock.Lock()
	defer r.lock.Unlock()
	for i, x := range r.workers {
		if x == w {
			r.workers = append(r.workers[:i], r.workers[i+1:]...)
			return
		}
	}
}

func (r *registry) pokeAll() {
	r.lock.Lock()
	defer r.lock.Unlock()
	for i := range r.workers {
		r.workers[i].poke() // want `lock order inversion by lock class: pokeAll locks r.lock .* then w.lock inside r.workers\[…\].poke .*while stop locks w.lock .* then w.reg.lock`
	}
}

func (w *worker) stop() {
	w.lock.Lock()
	defer w.lock.Unlock()
	w.reg.remove(w)
}

// The look-alike: the registry copies its workers under its lock and
// pokes them after releasing it.
type registryOK struct {
	lock    sync.Mutex
	workers []*workerOK
}

type workerOK struct {
	lock sync.Mutex
	reg  *registryOK
	hits int
}

func (w *workerOK) poke() {
	w.lock.Lock()
	w.hits++
	w.lock.Unlock()
}

func (r *registryOK) remove(w *workerOK) {
	r.lock.Lock()
	defer r.lock.Unlock()
	for i, x := range r.workers {
		if x == w {
			r.workers = append(r.workers[:i], r.workers[i+1:]...)
			return
		}
	}
}

func (r *registryOK) pokeAll() {
	r.lock.Lock()
	ws := append([]*workerOK(nil), r.workers...)
	r.lock.Unlock()
	for _, w := range ws {
		w.poke()
	}
}

func (w *workerOK) stop() {
	w.lock.Lock()
	defer w.lock.Unlock()
	w.reg.remove(w)
}

// Not an inversion: a tree locks a child of its own type under its own
// lock (one class), and nothing takes another class the other way.
type node struct {
	mu   sync.Mutex
	kids []*node
	n    int
}

func (n *node) bump() {
	n.mu.Lock()
	n.n++
	n.mu.Unlock()
}

func (n *node) bumpKids() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, k := range n.kids {
		k.bump()
	}
}
