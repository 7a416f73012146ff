// Package fixed is the fixed version of lockheld/containerd_1730: Usage
// rolls its read transaction back before returning an error.
package fixed

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
		t.ms.mmaplock.Lock()
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
