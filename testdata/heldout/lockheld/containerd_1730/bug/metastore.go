// Package bug is a held-out kernel (issue 14): a snapshotter method that
// returns on an error without rolling back its read transaction, leaving
// the database's remap lock read-held.
//
// Upstream: containerd/containerd#1730 ("Fix deadlock in overlay snapshotter")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: overlay's Usage opens a read-only metadata transaction and returns
// early when storage.GetInfo fails (the snapshot is not found, common
// while images are being unpacked) without calling t.Rollback(). A bolt
// read transaction holds the database's mmap lock for reading until it
// ends; the next write transaction that has to grow the file takes that
// lock for writing and waits forever, and every later transaction queues
// behind it (#1724: image unpacking deadlocked). bolt's transaction and
// lock are reduced to a MetaStore with one RWMutex.
//
// Fix: Usage rolls the transaction back on the error path too.
package bug

import (
	"context"
	"errors"
	"sync"
)

// ErrNotFound is returned for a missing snapshot.
var ErrNotFound = errors.New("not found")

// Info describes a snapshot.
type Info struct {
	Name   string
	Parent string
	Kind   int
}

// Usage is a snapshot's disk usage.
type Usage struct {
	Inodes int64
	Size   int64
}

type snapshotRecord struct {
	id    string
	info  Info
	usage Usage
}

// MetaStore is the snapshotter's bolt database, reduced.
type MetaStore struct {
	mmaplock sync.RWMutex // read transactions hold it shared; remapping needs it exclusive
	rwlock   sync.Mutex   // one writer at a time
	records  map[string]*snapshotRecord
	size     int
}

// Transactor is an open transaction.
type Transactor interface {
	Commit() error
	Rollback() error
}

type tx struct {
	ms       *MetaStore
	writable bool
	grows    bool
	done     bool
}

type txKey struct{}

// TransactionContext begins a transaction and stores it in the context.
func (ms *MetaStore) TransactionContext(ctx context.Context, writable bool) (context.Context, Transactor, error) {
	t := &tx{ms: ms, writable: writable}
	if writable {
		ms.rwlock.Lock()
	} else {
		ms.mmaplock.RLock()
	}
	return context.WithValue(ctx, txKey{}, t), t, nil
}

func (t *tx) Commit() error {
	if t.done {
		return errors.New("tx closed")
	}
	t.done = true
	if t.grows {
		// the file must be remapped: wait for every reader to finish
		t.ms.mmaplock.Lock() // heldout:site
		t.ms.size *= 2
		t.ms.mmaplock.Unlock()
	}
	t.ms.rwlock.Unlock()
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return errors.New("tx closed")
	}
	t.done = true
	if t.writable {
		t.ms.rwlock.Unlock()
	} else {
		t.ms.mmaplock.RUnlock()
	}
	return nil
}

func txFrom(ctx context.Context) *tx {
	t, _ := ctx.Value(txKey{}).(*tx)
	return t
}

// GetInfo returns the snapshot's id, info and recorded usage.
func GetInfo(ctx context.Context, key string) (string, Info, Usage, error) {
	t := txFrom(ctx)
	r, ok := t.ms.records[key]
	if !ok {
		return "", Info{}, Usage{}, ErrNotFound
	}
	return r.id, r.info, r.usage, nil
}

// CommitActive records a committed snapshot.
func CommitActive(ctx context.Context, key, name string, usage Usage) (string, error) {
	t := txFrom(ctx)
	r, ok := t.ms.records[key]
	if !ok {
		return "", ErrNotFound
	}
	delete(t.ms.records, key)
	r.info.Name = name
	r.usage = usage
	t.ms.records[name] = r
	if len(t.ms.records) > t.ms.size {
		t.grows = true
	}
	return r.id, nil
}
