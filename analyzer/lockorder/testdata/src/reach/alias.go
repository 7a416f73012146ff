package reach

import "sync"

// A view keeps a pointer to its store's mutex.
type store struct {
	mu   sync.Mutex
	data int
}

type view struct {
	mu *sync.Mutex
	s  *store
}

func newView(s *store) *view { return &view{mu: &s.mu, s: s} }

func (v *view) read() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.s.data
}

func snapshot(s *store, v *view) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return v.read() // want `v.mu is locked inside v.read \(line \d+\) while this goroutine holds s.mu \(locked at line \d+\), by lock class reach.store.mu: the pointer field reach.view.mu is set to the address of that mutex`
}

// --- look-alikes that must stay silent ---

// A pointer field set to two different mutex fields: no single class.
type cache struct{ mu sync.Mutex }

type mixed struct {
	mu *sync.Mutex
}

func newMixed(s *store, c *cache, first bool) *mixed {
	if first {
		return &mixed{mu: &s.mu}
	}
	return &mixed{mu: &c.mu}
}

func (m *mixed) do() {
	m.mu.Lock()
	m.mu.Unlock()
}

func snapshotMixed(s *store, m *mixed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.do() // ok: m.mu may be the cache's
}

// Read locks through an alias with no writer of the class anywhere.
type table struct{ mu sync.RWMutex }

type reader struct{ mu *sync.RWMutex }

func newReader(t *table) *reader { return &reader{mu: &t.mu} }

func (r *reader) get() {
	r.mu.RLock()
	r.mu.RUnlock()
}

func scan(t *table, r *reader) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r.get() // ok: no writer, two read locks never block
}
