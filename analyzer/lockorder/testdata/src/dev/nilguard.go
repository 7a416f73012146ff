package dev

import "sync"

// Upstream: decred/dcrwallet#1793
//
// The look-alike the fix keeps: a helper that uses the caller's open
// transaction, or opens one (taking the txStore's lock) when given nil.
// Called with the transaction from inside update, it does not lock
// again; called with nil while the lock is held, it does.
type txStore struct {
	mu   sync.Mutex
	data map[string]int
}

type storeTx struct{ s *txStore }

func (s *txStore) txUpdate(f func(*storeTx)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&storeTx{s})
}

func (s *txStore) txBump(tx *storeTx, k string) {
	if tx != nil {
		tx.s.data[k]++
		return
	}
	s.txUpdate(func(tx *storeTx) { tx.s.data[k]++ })
}

// txBumpAll passes its caller's transaction through.
func (s *txStore) txBumpAll(tx *storeTx, keys []string) {
	for _, k := range keys {
		s.txBump(tx, k)
	}
}

func (s *txStore) txBatch(keys []string) {
	s.txUpdate(func(tx *storeTx) {
		for _, k := range keys {
			s.txBump(tx, k)
		}
	})
}

func (s *txStore) txBatchAll(keys []string) {
	s.txUpdate(func(tx *storeTx) { s.txBumpAll(tx, keys) })
}

func (s *txStore) txReset(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txBump(nil, k) // want `s.mu is locked again inside s.txBump`
}

// txResetVia is the bug through the pass-through helper.
func (s *txStore) txResetVia(keys []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.txBumpAll(nil, keys) // want `s.mu is locked again inside s.txBumpAll`
}

// txAppend is the variant: an interface parameter tested with == nil,
// given a transaction converted to the interface.
type txAppender interface{ appendKey(k string) }

func (t *storeTx) appendKey(k string) { t.s.data[k] = 1 }

func (s *txStore) txAppend(a txAppender, k string) {
	if a == nil {
		s.txUpdate(func(tx *storeTx) { tx.s.data[k] = 0 })
		return
	}
	a.appendKey(k)
}

func (s *txStore) txAppendAll(keys []string) {
	s.txUpdate(func(tx *storeTx) {
		for _, k := range keys {
			s.txAppend(tx, k)
		}
	})
}

// txName is the look-alike real code has many of (nats-server's
// nameLocked): a nil receiver check before a lock guarded by a bool.
// Called with false under the lock it does not lock: the nil test does
// not hide the bool guard.
func (s *txStore) txName(needLock bool) int {
	if s == nil {
		return 0
	}
	if needLock {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	return len(s.data)
}

func (s *txStore) txSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.txName(false)
}

// txLen locks after a nil receiver check: a receiver not known to be nil
// is taken as non-nil, so the lock stays certain at the call.
func (s *txStore) txLen() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data)
}

func (s *txStore) txClear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.txLen() > 0 { // want `s.mu is locked again inside s.txLen`
		s.data = map[string]int{}
	}
}

// Upstream: ethereum/go-ethereum#20395
//
// The nil branch of a callee given a value that may be nil: the pool
// holds its lock while it runs the callback on each client it looks up
// in a map, and the callback, for a client that is not connected, asks
// the pool for its balance, which locks the pool again. A map lookup may
// be nil (that is why the callee tests it), so the lock of its nil
// branch is as certain as without the test.
type nodePool struct {
	mu      sync.Mutex
	clients map[int]*poolClient
	current *poolClient
	saved   map[int]uint64
}

type poolClient struct{ balance uint64 }

func (p *nodePool) eachClient(ids []int, cb func(c *poolClient, id int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		cb(p.clients[id], id)
	}
}

func (p *nodePool) savedBalance(id int) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.saved[id]
}

type poolAPI struct{ pool *nodePool }

func (a *poolAPI) balanceOf(c *poolClient, id int) uint64 {
	if c != nil {
		return c.balance
	}
	return a.pool.savedBalance(id)
}

func (a *poolAPI) balances(ids []int) map[int]uint64 {
	res := map[int]uint64{}
	a.pool.eachClient(ids, func(c *poolClient, id int) { // want `a.pool.mu is locked again inside the function literal`
		res[id] = a.balanceOf(c, id)
	})
	return res
}

// balancesFixed is the fix: the pool reads the balance itself.
func (p *nodePool) balancesFixed(ids []int) map[int]uint64 {
	res := map[int]uint64{}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range ids {
		if c := p.clients[id]; c != nil {
			res[id] = c.balance
		} else {
			res[id] = p.saved[id]
		}
	}
	return res
}

// describe is the same helper on the pool, written with == nil and an
// early return.
func (p *nodePool) describe(c *poolClient, id int) uint64 {
	if c == nil {
		return p.savedBalance(id)
	}
	return c.balance
}

// describeLocked is the variant called directly under the lock with a
// map lookup.
func (p *nodePool) describeLocked(id int) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.describe(p.clients[id], id) // want `p.mu is locked again inside p.describe`
}

// describeCurrent is the variant with a field load.
func (p *nodePool) describeCurrent() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.describe(p.current, 0) // want `p.mu is locked again inside p.describe`
}

// describeAny is the variant with a type assertion.
func (p *nodePool) describeAny(v any) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, _ := v.(*poolClient)
	return p.describe(c, 0) // want `p.mu is locked again inside p.describe`
}

// describeKnown is the look-alike: the caller tests the lookup itself,
// so the callee's nil branch cannot run.
func (p *nodePool) describeKnown(id int) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.clients[id]; c != nil {
		return p.describe(c, id)
	}
	return 0
}

// describeNew is the look-alike with a value certainly not nil.
func (p *nodePool) describeNew(b uint64) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.describe(&poolClient{balance: b}, 0)
}
