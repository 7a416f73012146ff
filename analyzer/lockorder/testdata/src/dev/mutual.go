package dev

import "sync"

// Upstream: dropbox/marshal#55
//
// A shard held its own lock while a failed step asked its coordinator to
// shut everything down; shutting down locks every shard the coordinator
// keeps, from a copy of its list, and the shard asking is one of them.
// Nothing in sight registers the shard: the shard's coordinator field and
// the coordinator's list of shards pointing at each other are the link.
// Fix: the shutdown runs on a new goroutine.
type coordinator struct {
	mu     sync.RWMutex
	shards []*shard
}

func (co *coordinator) shutdown() {
	co.mu.RLock()
	ws := append([]*shard(nil), co.shards...)
	co.mu.RUnlock()
	for _, w := range ws {
		w.stop()
	}
}

type shard struct {
	mu      sync.RWMutex
	co      *coordinator
	stopped bool
}

func (w *shard) stop() {
	w.mu.RLock()
	_ = w.stopped
	w.mu.RUnlock()
}

func (w *shard) step(fail bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if fail {
		w.co.shutdown() // want `w.mu is locked inside w.co.shutdown .*by lock class .*shard.mu: the call reaches the elements of the container shards through this object's field co, and the fields shard.co and coordinator.shards point the two types at each other`
	}
}

// The fix: shutdown on its own goroutine.
func (w *shard) stepOK(fail bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if fail {
		go w.co.shutdown()
	}
}

// Look-alike negative: a helper called with the shard's lock held
// releases it around the call on the coordinator (nats-server's
// resetStartingSeqLocked), so the shard is not locked when shutdown
// reaches it.
func (w *shard) restartLocked() {
	w.mu.Unlock()
	w.co.shutdown()
	w.mu.Lock()
}

func (w *shard) restart() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.restartLocked()
}

// Upstream: nats-io/nats-server#1543
//
// The other direction: the hub holds its lock while it updates each of
// its links (a map of them); a link that must close itself removes itself
// from the hub through its back-pointer, which locks the hub again.
// Fix: the links are updated after the hub's lock is released.
type hub struct {
	mu    sync.Mutex
	links map[int]*link
	name  string
}

type link struct {
	mu   sync.Mutex
	id   int
	h    *hub
	peer string
}

func (h *hub) rename() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.links {
		l.setName(h.name) // want `h.mu is locked again inside h.links\[…\].setName through its back-pointer h to the owner of links \(the fields link.h and hub.links point the two types at each other`
	}
}

func (l *link) setName(name string) {
	l.mu.Lock()
	clash := l.peer == name
	l.mu.Unlock()
	if clash {
		l.close()
	}
}

func (l *link) close() { l.h.drop(l) }

func (h *hub) drop(l *link) {
	h.mu.Lock()
	delete(h.links, l.id)
	h.mu.Unlock()
}

// The fix: collect under the lock, update after.
func (h *hub) renameOK() {
	h.mu.Lock()
	name := h.name
	ls := make([]*link, 0, len(h.links))
	for _, l := range h.links {
		ls = append(ls, l)
	}
	h.mu.Unlock()
	for _, l := range ls {
		l.setName(name)
	}
}

// A variant written differently: the parent's container is indexed
// directly, and the child's call goes through a helper method.
type cpool struct {
	mu    sync.Mutex
	conns [4]*pconn
}

type pconn struct {
	mu   sync.Mutex
	p    *cpool
	busy bool
}

func (p *cpool) drain() {
	for i := range p.conns {
		p.conns[i].reset()
	}
}

func (c *pconn) reset() {
	c.mu.Lock()
	c.busy = false
	c.mu.Unlock()
}

func (c *pconn) fail() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy = false
	c.p.drain() // want `c.mu is locked inside c.p.drain .*the call reaches the elements of the container conns through this object's field p, and the fields pconn.p and cpool.conns point`
}

// Look-alike negative: the parent's container holds another type, not the
// child's, so the elements locked cannot be the child.
type board struct {
	mu    sync.Mutex
	items []*item
}

type item struct{ mu sync.Mutex }

type boardMember struct {
	mu sync.Mutex
	b  *board
}

func (b *board) clear() {
	for _, it := range b.items {
		it.mu.Lock()
		it.mu.Unlock()
	}
}

func (m *boardMember) leave() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b.clear()
}

// Look-alike negative: the package sets the back-pointer from something
// that is not the container's owner, so the types alone do not link them.
type shelf struct {
	mu    sync.Mutex
	books map[int]*book
}

type book struct {
	mu   sync.Mutex
	id   int
	home *shelf
}

func (b *book) moveTo(s *shelf) { b.home = s }

func (s *shelf) sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.books {
		b.leave()
	}
}

func (b *book) leave() {
	b.home.mu.Lock()
	delete(b.home.books, b.id)
	b.home.mu.Unlock()
}
