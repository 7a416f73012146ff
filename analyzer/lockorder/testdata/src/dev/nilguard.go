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
