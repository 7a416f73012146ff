package s27locks

import "sync"

// A registry makes each session with a back-pointer to itself and keeps it
// in its map (get-or-create); a session that reaches the registry's lock
// back through that field while the registry holds it locks it twice.
type registry struct {
	sync.Mutex
	byShard map[int]*session
}

type session struct {
	mu   sync.Mutex
	reg  *registry
	done chan error
}

func (r *registry) start(shard int) *session {
	s := &session{reg: r, done: make(chan error, 1)}
	return s
}

func (s *session) run(cb func(error)) {
	if err, failed := <-s.done; failed {
		cb(err)
		s.reg.Lock()
		s.reg.Unlock()
	}
}

func (r *registry) with(shard int, cb func(error)) {
	r.Lock()
	defer r.Unlock()
	s, ok := r.byShard[shard]
	if !ok {
		s = r.start(shard)
		r.byShard[shard] = s
	}
	s.run(cb) // want `s.reg.Mutex is locked inside \?.run \(line \d+\) while this goroutine holds r.Mutex \(locked at line \d+\), by lock class s27locks.registry.Mutex: the object is reached back through its field reg, which the package sets to a registry`
}

// Look-alike: the same get-or-create, but the session runs after the
// registry's lock is released.
func (r *registry) withUnlocked(shard int, cb func(error)) {
	r.Lock()
	s, ok := r.byShard[shard]
	if !ok {
		s = r.start(shard)
		r.byShard[shard] = s
	}
	r.Unlock()
	s.run(cb)
}

// Look-alike: a registry of another type whose sessions point to a
// parent given by the caller, not to the registry itself.
type pool struct {
	sync.Mutex
	byKey map[int]*member
}

type parent struct {
	sync.Mutex
}

type member struct {
	up *parent
}

func (m *member) touch() {
	m.up.Lock()
	m.up.Unlock()
}

func (p *pool) get(k int, up *parent) {
	p.Lock()
	defer p.Unlock()
	m, ok := p.byKey[k]
	if !ok {
		m = &member{up: up}
		p.byKey[k] = m
	}
	m.touch()
}

// Look-alike: a phi of a lookup and a fresh session the function never
// adds to the map is not the map's element; no registration.
func (r *registry) peek(shard int, cb func(error)) {
	r.Lock()
	defer r.Unlock()
	s, ok := r.byShard[shard]
	if !ok {
		s = &session{done: make(chan error, 1)}
	}
	s.run2(cb)
}

func (s *session) run2(cb func(error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cb(nil)
}
