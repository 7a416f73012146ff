package shapes

import (
	"errors"
	"sync"
)

// A bolt-like store: Begin read-locks the mmap lock (and, for a writable
// transaction, takes the writer lock) and returns the transaction, whose
// Rollback or Commit releases them through tx.db. (bolt's Begin can also
// fail before locking; the kernels leave that out.)
type boltDB struct {
	rwlock   sync.Mutex
	mmaplock sync.RWMutex
	size     int
}

type boltTx struct {
	db      *boltDB
	buckets map[string]int
}

func (db *boltDB) Begin() *boltTx {
	db.mmaplock.RLock()
	return &boltTx{db: db, buckets: map[string]int{}}
}

func (db *boltDB) BeginRW() *boltTx {
	db.rwlock.Lock()
	db.mmaplock.RLock()
	return &boltTx{db: db, buckets: map[string]int{}}
}

func (tx *boltTx) Rollback() {
	tx.db.mmaplock.RUnlock()
}

func (tx *boltTx) RollbackRW() {
	tx.db.mmaplock.RUnlock()
	tx.db.rwlock.Unlock()
}

func (tx *boltTx) Bucket(name string) (int, bool) {
	b, ok := tx.buckets[name]
	return b, ok
}

func (tx *boltTx) Put(k string, v int) error {
	if k == "" {
		return errors.New("key required")
	}
	tx.buckets[k] = v
	return nil
}

// remap is the writer that waits for every read transaction to end.
func (db *boltDB) remap(size int) {
	db.mmaplock.Lock()
	defer db.mmaplock.Unlock()
	db.size = size
}

var errNoBucket = errors.New("namespace bucket not found")

// Upstream: btcsuite/btcwallet#406
//
// A wallet namespace opened a bolt transaction and looked up its bucket;
// when the bucket was missing it returned the error without the
// transaction, so nothing could roll it back: bolt's mmap lock stayed
// read-locked and the next remap (a writer growing the file) waited
// forever. Fix: roll the transaction back before returning the error.
type walletNamespace struct {
	db  *boltDB
	key string
}

func (ns *walletNamespace) Begin() (*boltTx, error) {
	tx := ns.db.Begin()
	if _, ok := tx.Bucket(ns.key); !ok {
		return nil, errNoBucket // want `Begin returns here with ns.db.mmaplock still read-locked by the handle Begin returned \(line \d+\), and drops the handle`
	}
	return tx, nil
}

// The fix.
func (ns *walletNamespace) BeginFixed() (*boltTx, error) {
	tx := ns.db.Begin()
	if _, ok := tx.Bucket(ns.key); !ok {
		tx.Rollback()
		return nil, errNoBucket
	}
	return tx, nil
}

// Upstream: blevesearch/bleve#440
//
// The bolt-backed index writer began a writable transaction for a batch
// and returned as soon as a Put failed (a key too large), leaving the
// transaction open: its writer lock was never released, and the index hung
// on the next batch. Fix: `defer tx.Rollback()` right after Begin
// (a no-op once committed).
type bleveWriter struct {
	db *boltDB
}

func (w *bleveWriter) ExecuteBatch(ops map[string]int) error {
	tx := w.db.BeginRW()
	for k, v := range ops {
		if err := tx.Put(k, v); err != nil {
			return err // want `ExecuteBatch returns here with w.db.(rwlock|mmaplock) still (read-)?locked by the handle BeginRW returned`
		}
	}
	tx.RollbackRW() // stands for Commit, which releases the same locks
	return nil
}

// The fix.
func (w *bleveWriter) ExecuteBatchFixed(ops map[string]int) error {
	tx := w.db.BeginRW()
	defer tx.RollbackRW()
	for k, v := range ops {
		if err := tx.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Look-alikes: the handle handed to a helper that closes it, or stored
// for a later Commit, is not dropped.
func finishTx(tx *boltTx, err error) error {
	tx.Rollback()
	return err
}

func (ns *walletNamespace) BeginHelper() error {
	tx := ns.db.Begin()
	if _, ok := tx.Bucket(ns.key); !ok {
		return finishTx(tx, errNoBucket)
	}
	return finishTx(tx, nil)
}

type walletSession struct {
	ns *walletNamespace
	tx *boltTx
}

func (s *walletSession) open() error {
	tx := s.ns.db.Begin()
	s.tx = tx
	if _, ok := tx.Bucket(s.ns.key); !ok {
		return errNoBucket
	}
	return nil
}

// The btcwallet#406 bug with the transaction handed to a helper as a
// later argument that only reads through it: the error return still
// drops the handle.
func lookupIn(key string, tx *boltTx) bool {
	_, ok := tx.Bucket(key)
	return ok
}

func (ns *walletNamespace) BeginVia() (*boltTx, error) {
	tx := ns.db.Begin()
	if !lookupIn(ns.key, tx) {
		return nil, errNoBucket // want `BeginVia returns here with ns.db.mmaplock still read-locked by the handle Begin returned \(line \d+\), and drops the handle`
	}
	return tx, nil
}

// Look-alikes: a helper taking it as a later argument that rolls it back,
// or that keeps it.
func finishTxAt(err error, tx *boltTx) error {
	tx.Rollback()
	return err
}

func (ns *walletNamespace) BeginViaFixed() (*boltTx, error) {
	tx := ns.db.Begin()
	if !lookupIn(ns.key, tx) {
		return nil, finishTxAt(errNoBucket, tx)
	}
	return tx, nil
}

func (s *walletSession) keep(err error, tx *boltTx) error {
	s.tx = tx
	return err
}

func (s *walletSession) openVia() error {
	tx := s.ns.db.Begin()
	if _, ok := tx.Bucket(s.ns.key); !ok {
		return s.keep(errNoBucket, tx)
	}
	return s.keep(nil, tx)
}
