package dev

import "sync"

// Upstream: decred/dcrwallet#1793
//
// Deriving an address locked the wallet's address mutex and then opened a
// database update (address mutex, then the database's writer lock). A
// ticket purchase ran inside an update and called an address function it
// had built earlier, converted to a named func type and captured by the
// update's closure (writer lock, then address mutex). The captured
// function is known where the closure is made, so its locks count where
// the closure calls it. Fix: derive the addresses before the update.
type walletDB struct {
	rw   sync.Mutex
	data map[string]int
}

func (db *walletDB) update(f func(tx map[string]int) error) error {
	db.rw.Lock()
	defer db.rw.Unlock()
	return f(db.data)
}

type acctWallet struct {
	db     *walletDB
	addrMu sync.Mutex
	next   uint32
}

type deriveFunc func(tx map[string]int) uint32

// newAddress persists the returned index in its own update.
func (w *acctWallet) newAddress() uint32 {
	w.addrMu.Lock()
	defer w.addrMu.Unlock()
	w.next++
	w.db.update(func(tx map[string]int) error { // want `lock order inversion: newAddress locks w.addrMu \(line \d+\) then w.db.rw`
		tx["next"] = int(w.next)
		return nil
	})
	return w.next
}

// addressIn persists the index in the caller's transaction.
func (w *acctWallet) addressIn(tx map[string]int) uint32 {
	w.addrMu.Lock()
	defer w.addrMu.Unlock()
	w.next++
	tx["next"] = int(w.next)
	return w.next
}

func (w *acctWallet) purchase(n int) error {
	addr := deriveFunc(func(tx map[string]int) uint32 { return w.addressIn(tx) })
	return w.db.update(func(tx map[string]int) error {
		for i := 0; i < n; i++ {
			tx["ticket"] = int(addr(tx))
		}
		return nil
	})
}

// The fix: the addresses come first, each in its own update.
func (w *acctWallet) purchaseFixed(n int) error {
	addr := func() uint32 { return w.newAddress() }
	var got []uint32
	for i := 0; i < n; i++ {
		got = append(got, addr())
	}
	return w.db.update(func(tx map[string]int) error {
		for _, a := range got {
			tx["ticket"] = int(a)
		}
		return nil
	})
}

// A variant: a plain func variable (no named type) captured by a callback
// that a helper runs under the cache's lock, while the store it calls locks
// the store first and then the cache.
type viewCache struct {
	mu    sync.Mutex
	views map[int]string
}

func (c *viewCache) each(f func(id int)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.views {
		f(id)
	}
}

type viewStore struct {
	mu    sync.Mutex
	cache *viewCache
	dirty map[int]bool
}

func (s *viewStore) markDirty(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty[id] = true
}

func (s *viewStore) flush() {
	mark := func(id int) { s.markDirty(id) }
	s.cache.each(func(id int) { // want `lock order inversion: flush locks s.cache.mu \(line \d+\) then s.mu`
		mark(id)
	})
}

func (s *viewStore) evict(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache.mu.Lock()
	delete(s.cache.views, id)
	s.cache.mu.Unlock()
}

// The look-alike: the captured function takes no lock (it only records the
// id), so the callback run under the cache's lock orders nothing.
type viewStoreQuiet struct {
	mu    sync.Mutex
	cache *viewCache
	seen  []int
}

func (s *viewStoreQuiet) flush() {
	var ids []int
	note := func(id int) { ids = append(ids, id) }
	s.cache.each(func(id int) { note(id) })
	s.mu.Lock()
	s.seen = append(s.seen, ids...)
	s.mu.Unlock()
}

func (s *viewStoreQuiet) evict(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache.mu.Lock()
	delete(s.cache.views, id)
	s.cache.mu.Unlock()
}
