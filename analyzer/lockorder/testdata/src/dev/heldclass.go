package dev

import "sync"

// Locks left held by a function reached through a func field, kept by the
// handle it returns (etcd-io/etcd#14080 and its kin): the closure stored in
// the field captured another function's object, so the lock it leaves held
// is known here by its class, and it orders the caller's next lock.

// First writing: a named func type set to a literal in the constructor;
// the literal's callee locks the write buffer it got from a getter and
// returns a handle whose End releases it.
type wbuf struct {
	sync.Mutex
	pending map[string]int
}

type storage struct{ buf *wbuf }

func (s *storage) writeBuf() *wbuf { return s.buf }

// WTxn is a write transaction.
type WTxn interface {
	Put(k string, v int)
	End()
}

type bufTxn struct{ b *wbuf }

func openTxn(s *storage) WTxn {
	b := s.writeBuf()
	b.Lock()
	return &bufTxn{b: b}
}

func (t *bufTxn) Put(k string, v int) { t.b.pending[k] = v }
func (t *bufTxn) End()                { t.b.Unlock() }

// TxnOpener opens a write transaction.
type TxnOpener func() WTxn

type quotaTable struct {
	mu     sync.Mutex
	quotas map[string]int
	open   TxnOpener
	st     *storage
}

func newQuotaTable() *quotaTable {
	st := &storage{buf: &wbuf{pending: map[string]int{}}}
	q := &quotaTable{quotas: map[string]int{}, st: st}
	q.open = func() WTxn { return openTxn(st) }
	return q
}

// set persists under the table's lock: mu, then the buffer.
func (q *quotaTable) set(k string, v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.quotas[k] = v
	b := q.st.writeBuf()
	b.Lock() // want `lock order inversion by lock class: set locks q.mu \(line \d+\) then q.st.writeBuf\(\).Mutex here, while drop locks st.buf.Mutex`
	b.pending[k] = v
	b.Unlock()
}

// drop writes in a transaction, then takes the table's lock inside it.
func (q *quotaTable) drop(k string) {
	txn := q.open()
	txn.Put(k, 0)
	q.mu.Lock()
	delete(q.quotas, k)
	q.mu.Unlock()
	txn.End()
}

// Its fix, and a look-alike that ends the transaction before it locks.
func (q *quotaTable) dropFixed(k string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	txn := q.open()
	txn.Put(k, 0)
	delete(q.quotas, k)
	txn.End()
}

func (q *quotaTable) dropAfter(k string) {
	txn := q.open()
	txn.Put(k, 0)
	txn.End()
	q.mu.Lock()
	delete(q.quotas, k)
	q.mu.Unlock()
}

// Second writing: the field is a plain func type, the literal locks the
// pool it captured itself and returns a concrete lease whose release
// unlocks it; the other order is in a method of the pool's owner that
// locks the pool inline.
type leasePool struct {
	mu    sync.Mutex
	conns []string
}

type lease struct{ p *leasePool }

func (l *lease) release() { l.p.mu.Unlock() }

type router struct {
	mu     sync.Mutex
	routes map[string]string
	pool   *leasePool
	lease  func() *lease
}

func newRouter() *router {
	p := &leasePool{}
	r := &router{routes: map[string]string{}, pool: p}
	r.lease = func() *lease {
		p.mu.Lock()
		return &lease{p: p}
	}
	return r
}

func (r *router) route(k string) {
	l := r.lease()
	r.mu.Lock() // want `lock order inversion by lock class: route locks p.mu \(line \d+\) then r.mu here, while refresh locks r.mu`
	r.routes[k] = "x"
	r.mu.Unlock()
	l.release()
}

func (r *router) refresh() {
	r.mu.Lock()
	r.pool.mu.Lock()
	r.pool.conns = r.pool.conns[:0]
	r.pool.mu.Unlock()
	r.mu.Unlock()
}

// The fix: the route is written before the lease is taken.
func (r *router) routeFixed(k string) {
	r.mu.Lock()
	r.routes[k] = "x"
	r.mu.Unlock()
	l := r.lease()
	l.release()
}

// Third writing: the literal calls a method of the object it captured,
// which leaves that object's read lock held for the snapshot it returns;
// the other order (a write lock) is inside a helper.
type catalogue struct {
	mu    sync.RWMutex
	items map[string]int
}

type catSnap struct{ c *catalogue }

func (c *catalogue) snapshot() *catSnap {
	c.mu.RLock()
	return &catSnap{c: c}
}

func (s *catSnap) close() { s.c.mu.RUnlock() }

func (c *catalogue) put(k string, v int) {
	c.mu.Lock()
	c.items[k] = v
	c.mu.Unlock()
}

type indexerSvc struct {
	mu   sync.Mutex
	seen map[string]bool
	cat  *catalogue
	snap func() *catSnap
}

func newIndexerSvc(c *catalogue) *indexerSvc {
	x := &indexerSvc{seen: map[string]bool{}, cat: c}
	x.snap = func() *catSnap { return c.snapshot() }
	return x
}

func (x *indexerSvc) index() {
	s := x.snap()
	x.mu.Lock() // want `lock order inversion by lock class: index locks .*mu \(line \d+\) then x.mu here, while add locks x.mu`
	for k := range s.c.items {
		x.seen[k] = true
	}
	x.mu.Unlock()
	s.close()
}

func (x *indexerSvc) record(k string) { x.cat.put(k, 1) }

func (x *indexerSvc) add(k string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.seen[k] = true
	x.record(k)
}

// The fix: the snapshot is closed before the service's lock is taken.
func (x *indexerSvc) indexFixed() {
	s := x.snap()
	var keys []string
	for k := range s.c.items {
		keys = append(keys, k)
	}
	s.close()
	x.mu.Lock()
	for _, k := range keys {
		x.seen[k] = true
	}
	x.mu.Unlock()
}
