// Package bug is a held-out kernel (issue 14): MatrixOne's lock service
// keeps its active transactions in sharded holders. After a TN failure
// leaves a commit in an unknown state, unlockUnknownCommit cleans the
// transaction up while holding activeTxn's lock and then deletes it from
// its holder shard (activeTxn -> shard). A bind change meanwhile fences
// every active transaction that touched the moved table, walking each
// shard under its read lock and locking each transaction in turn
// (shard -> activeTxn). The two opposing orders deadlock; the fencing
// goroutine also holds bindChangeMu, so every later Lock request piles up
// behind bindChangeMu.RLock until the CN is restarted.
//
// Upstream: matrixorigin/matrixone#26749 ("fix(lockservice): avoid bind fence cleanup deadlock")
// Round: 16
//
// Bug: activeTxn (an embedded RWMutex, its table binds and fenced flag),
// the sharded holder with getActiveTxn/deleteActiveTxn, fenceByBindChanged,
// unlockUnknownCommit, handleBindChanged under bindChangeMu and Lock's
// bindChangeMu.RLock follow pkg/lockservice as the PR describes it;
// lock tables, waiters and the TN round trip are reduced away.
//
// Fix: fencing snapshots each shard's transaction keys under the shard's
// read lock, only TryLocks a transaction while the shard is held, and on
// contention releases the shard and retries, so no goroutine waits for a
// transaction's lock while holding a shard.
package bug

import (
	"errors"
	"hash/fnv"
	"sync"
)

// LockTable is the bind of one table to a lock service.
type LockTable struct {
	Table   uint64
	Version uint64
}

type activeTxn struct {
	sync.RWMutex
	txnID       string
	tableBinds  map[uint64]LockTable
	bindChanged bool
}

type txnShard struct {
	sync.RWMutex
	txns map[string]*activeTxn
}

type activeTxnHolder struct {
	shards []*txnShard
}

func newActiveTxnHolder(n int) *activeTxnHolder {
	h := &activeTxnHolder{shards: make([]*txnShard, n)}
	for i := range h.shards {
		h.shards[i] = &txnShard{txns: make(map[string]*activeTxn)}
	}
	return h
}

func (h *activeTxnHolder) shard(txnID string) *txnShard {
	f := fnv.New32a()
	_, _ = f.Write([]byte(txnID))
	return h.shards[f.Sum32()%uint32(len(h.shards))]
}

func (h *activeTxnHolder) getActiveTxn(txnID string, create bool) *activeTxn {
	s := h.shard(txnID)
	s.Lock()
	defer s.Unlock()
	txn, ok := s.txns[txnID]
	if !ok && create {
		txn = &activeTxn{txnID: txnID, tableBinds: make(map[uint64]LockTable)}
		s.txns[txnID] = txn
	}
	return txn
}

func (h *activeTxnHolder) deleteActiveTxn(txnID string) {
	s := h.shard(txnID)
	s.Lock() // heldout:site
	delete(s.txns, txnID)
	s.Unlock()
}

// fenceByBindChanged marks every active transaction that holds the old
// bind of the table so that its next lock or commit fails.
func (h *activeTxnHolder) fenceByBindChanged(old LockTable) int {
	fenced := 0
	for _, s := range h.shards {
		s.RLock()
		for _, txn := range s.txns {
			txn.Lock() // heldout:site
			if b, ok := txn.tableBinds[old.Table]; ok && b.Version == old.Version {
				txn.bindChanged = true
				fenced++
			}
			txn.Unlock()
		}
		s.RUnlock()
	}
	return fenced
}

type service struct {
	bindChangeMu sync.RWMutex
	binds        map[uint64]LockTable
	activeTxns   *activeTxnHolder
}

// ErrLockTableBindChanged is returned to a fenced transaction.
var ErrLockTableBindChanged = errors.New("lock table bind changed")

// Lock takes a lock on table for txnID.
func (s *service) Lock(txnID string, table uint64) error {
	s.bindChangeMu.RLock()
	defer s.bindChangeMu.RUnlock()

	txn := s.activeTxns.getActiveTxn(txnID, true)
	txn.Lock()
	defer txn.Unlock()
	if txn.bindChanged {
		return ErrLockTableBindChanged
	}
	txn.tableBinds[table] = s.binds[table]
	return nil
}

// handleBindChanged installs a new bind and fences the old one's users.
func (s *service) handleBindChanged(newBind LockTable) {
	s.bindChangeMu.Lock()
	defer s.bindChangeMu.Unlock()
	old := s.binds[newBind.Table]
	s.binds[newBind.Table] = newBind
	s.activeTxns.fenceByBindChanged(old)
}

// unlockUnknownCommit releases a transaction whose commit result the TN
// lost, once its owner has been cleaned up.
func (s *service) unlockUnknownCommit(txnID string) {
	txn := s.activeTxns.getActiveTxn(txnID, false)
	if txn == nil {
		return
	}
	txn.Lock()
	defer txn.Unlock()
	for table := range txn.tableBinds {
		delete(txn.tableBinds, table)
	}
	s.activeTxns.deleteActiveTxn(txn.txnID) // heldout:site
}

// Recover runs an unknown-commit cleanup while a TN restart moves a bind.
func Recover() error {
	s := &service{
		binds:      map[uint64]LockTable{42: {Table: 42, Version: 1}},
		activeTxns: newActiveTxnHolder(4),
	}
	if err := s.Lock("txn-1", 42); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.unlockUnknownCommit("txn-1")
	}()
	go func() {
		defer wg.Done()
		s.handleBindChanged(LockTable{Table: 42, Version: 2})
	}()
	wg.Wait()
	return s.Lock("txn-2", 42)
}
