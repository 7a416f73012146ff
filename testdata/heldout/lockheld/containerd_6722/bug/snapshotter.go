// Package bug is a held-out kernel (issue 14): a write transaction (which
// holds the database's writer lock) left open on an error path.
//
// Upstream: containerd/containerd#6722 ("native: fix deadlock from leaving transactions open")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the native snapshotter's Usage opens a writable transaction through
// the metadata store (bolt takes its writer lock in Begin(true)) and returns
// on an error without rolling it back; the next snapshotter call that opens
// a writable transaction blocks on the writer lock forever.
//
// Fix: every path closes the transaction (a deferred Rollback).
package bug

import (
	"context"
	"errors"
	"sync"
)

// DB stands for the bolt database: one writer at a time.
type DB struct {
	rwlock sync.Mutex
	data   map[string]int64
}

// Tx is a transaction; a writable one holds db.rwlock until it ends.
type Tx struct {
	db       *DB
	writable bool
}

// Begin starts a transaction.
func (db *DB) Begin(writable bool) (*Tx, error) {
	if writable {
		db.rwlock.Lock() // heldout:site
	}
	return &Tx{db: db, writable: writable}, nil
}

// Rollback ends the transaction, dropping its changes.
func (tx *Tx) Rollback() error {
	if tx.writable {
		tx.db.rwlock.Unlock()
	}
	return nil
}

// Commit ends the transaction, keeping its changes.
func (tx *Tx) Commit() error { return tx.Rollback() }

// MetaStore opens transactions on the snapshotter's metadata.
type MetaStore struct{ db *DB }

// TransactionContext starts a transaction for the snapshotter.
func (ms *MetaStore) TransactionContext(ctx context.Context, writable bool) (context.Context, *Tx, error) {
	tx, err := ms.db.Begin(writable)
	if err != nil {
		return ctx, nil, err
	}
	return ctx, tx, nil
}

type snapshotter struct {
	root string
	ms   *MetaStore
}

var errNotFound = errors.New("snapshot not found")

// Usage returns the disk usage of a snapshot.
func (o *snapshotter) Usage(ctx context.Context, key string) (int64, error) {
	ctx, t, err := o.ms.TransactionContext(ctx, true)
	if err != nil {
		return 0, err
	}
	usage, ok := t.db.data[key]
	if !ok {
		return 0, errNotFound // heldout:site
	}
	t.Rollback()
	return usage, nil
}

// Remove deletes a snapshot.
func (o *snapshotter) Remove(ctx context.Context, key string) error {
	ctx, t, err := o.ms.TransactionContext(ctx, true)
	if err != nil {
		return err
	}
	delete(t.db.data, key)
	return t.Commit()
}
