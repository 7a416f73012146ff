// Package bug is a held-out kernel (issue 14): lock-order inversion in
// etcd's lessor between lessor.mu and the backend's batch transaction
// lock. Grant (and Checkpoint) hold lessor.mu while they persist the lease,
// which takes the batch transaction lock; Revoke opens a write transaction
// through the RangeDeleter (taking the batch transaction lock), deletes
// the lease's keys, and then takes lessor.mu to drop the lease, still
// inside the transaction.
//
// Upstream: etcd-io/etcd#14080 ("Fix potential deadlock between Revoke and (Grant or Checkpoint)")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "Grant and Checkpoint acquire the lessor.mu firstly, and
// acquire batchTx lock secondly when they are still holding lessor.mu.
// But the Revoke acquires the transaction lock firstly, and secondly
// acquires the lessor.mu lock when it's still holding the transaction
// lock." The lessor, Lease.persistTo, the RangeDeleter/TxnDelete pair and
// the backend's BatchTx follow server/lease and server/mvcc; bbolt is
// reduced to a map behind the batch transaction's mutex.
//
// Fix: our reading of the PR (the thread shows the inversion, not the
// diff): Revoke takes lessor.mu before it opens the write transaction and
// keeps it until the transaction ends, so every path takes lessor.mu
// first and the batch transaction lock second.
package bug

import (
	"errors"
	"sort"
	"sync"
)

// LeaseID identifies a lease.
type LeaseID int64

// ErrLeaseNotFound is returned for an unknown lease.
var ErrLeaseNotFound = errors.New("lease not found")

// batchTx is the backend's write transaction, shared by all writers.
type batchTx struct {
	sync.Mutex
	buckets map[string]map[string]string
}

func (t *batchTx) UnsafePut(bucket, key, value string) {
	if t.buckets[bucket] == nil {
		t.buckets[bucket] = map[string]string{}
	}
	t.buckets[bucket][key] = value
}

func (t *batchTx) UnsafeDelete(bucket, key string) {
	delete(t.buckets[bucket], key)
}

// Backend is the bbolt-backed store.
type Backend struct {
	tx *batchTx
}

// BatchTx returns the shared write transaction.
func (b *Backend) BatchTx() *batchTx { return b.tx }

// TxnDelete is a write transaction that can delete key ranges.
type TxnDelete interface {
	DeleteRange(key, end []byte) (n, rev int64)
	End()
}

// RangeDeleter opens a TxnDelete.
type RangeDeleter func() TxnDelete

// storeTxnWrite is the mvcc store's write transaction: it holds the
// batch transaction lock from creation to End.
type storeTxnWrite struct {
	tx *batchTx
}

func newStoreTxnWrite(b *Backend) TxnDelete {
	tx := b.BatchTx()
	tx.Lock() // heldout:site
	return &storeTxnWrite{tx: tx}
}

func (tw *storeTxnWrite) DeleteRange(key, end []byte) (int64, int64) {
	tw.tx.UnsafeDelete("key", string(key))
	return 1, 0
}

func (tw *storeTxnWrite) End() { tw.tx.Unlock() }

// Lease is a lease and the keys attached to it.
type Lease struct {
	ID      LeaseID
	ttl     int64
	itemSet map[string]struct{}
	revokec chan struct{}
}

func (l *Lease) persistTo(b *Backend) {
	tx := b.BatchTx()
	tx.Lock() // heldout:site
	tx.UnsafePut("lease", string(rune(l.ID)), "ttl")
	tx.Unlock()
}

// Keys returns the keys attached to the lease.
func (l *Lease) Keys() []string {
	keys := make([]string, 0, len(l.itemSet))
	for k := range l.itemSet {
		keys = append(keys, k)
	}
	return keys
}

type lessor struct {
	mu       sync.RWMutex
	leaseMap map[LeaseID]*Lease
	rd       RangeDeleter
	b        *Backend
}

// Grant creates and persists a lease.
func (le *lessor) Grant(id LeaseID, ttl int64) (*Lease, error) {
	l := &Lease{ID: id, ttl: ttl, itemSet: map[string]struct{}{}, revokec: make(chan struct{})}

	le.mu.Lock()
	defer le.mu.Unlock()
	if _, ok := le.leaseMap[id]; ok {
		return nil, errors.New("lease already exists")
	}
	le.leaseMap[id] = l
	l.persistTo(le.b) // heldout:site
	return l, nil
}

// Revoke deletes the lease and the keys attached to it.
func (le *lessor) Revoke(id LeaseID) error {
	le.mu.Lock()
	l := le.leaseMap[id]
	if l == nil {
		le.mu.Unlock()
		return ErrLeaseNotFound
	}
	defer close(l.revokec)
	// unlock before doing external work
	le.mu.Unlock()

	if le.rd == nil {
		return nil
	}

	txn := le.rd() // heldout:site

	// Sort keys so deletes are in the same order on all members.
	keys := l.Keys()
	sort.Strings(keys)
	for _, key := range keys {
		txn.DeleteRange([]byte(key), nil)
	}

	le.mu.Lock() // heldout:site
	defer le.mu.Unlock()
	delete(le.leaseMap, l.ID)
	// The lease deletion must be in the same backend transaction as the
	// key deletion.
	le.b.BatchTx().UnsafeDelete("lease", string(rune(l.ID)))

	txn.End()
	return nil
}

// Apply revokes one lease while granting another.
func Apply() {
	b := &Backend{tx: &batchTx{buckets: map[string]map[string]string{}}}
	le := &lessor{leaseMap: map[LeaseID]*Lease{}, b: b}
	le.rd = func() TxnDelete { return newStoreTxnWrite(b) }
	l, _ := le.Grant(1, 60)
	l.itemSet["foo"] = struct{}{}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		le.Revoke(1)
	}()
	go func() {
		defer wg.Done()
		le.Grant(2, 60)
	}()
	wg.Wait() // heldout:site
}
