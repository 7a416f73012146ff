package dev

import (
	"context"
	"errors"
	"sync"
)

// Upstream: containerd/containerd#1730
//
// The overlay snapshotter's Usage began a read-only metadata transaction
// (a bolt read transaction read-locks the database's mmap lock until it
// ends) and, when the snapshot was not found, returned the error without
// rolling the transaction back. The next write transaction that grew the
// file took the mmap lock for writing and waited forever. The
// transaction is handed back as an interface value, beside a context
// that carries it. Fix: roll back on the error path too.
type metaDB struct {
	remap  sync.RWMutex // readers hold it shared for a transaction's life
	writer sync.Mutex
	rows   map[string]string
	grow   bool
}

// Txn is an open metadata transaction.
type Txn interface {
	Commit() error
	Rollback() error
}

type metaTxn struct {
	db   *metaDB
	rw   bool
	done bool
}

type txnKey struct{}

func (db *metaDB) begin(ctx context.Context, rw bool) (context.Context, Txn, error) {
	t := &metaTxn{db: db, rw: rw}
	if rw {
		db.writer.Lock()
	} else {
		db.remap.RLock()
	}
	return context.WithValue(ctx, txnKey{}, t), t, nil
}

func (t *metaTxn) Commit() error {
	if t.done {
		return errors.New("closed")
	}
	t.done = true
	if t.db.grow {
		t.db.remap.Lock() // waits for every open read transaction
		t.db.grow = false
		t.db.remap.Unlock()
	}
	t.db.writer.Unlock()
	return nil
}

func (t *metaTxn) Rollback() error {
	if t.done {
		return errors.New("closed")
	}
	t.done = true
	if t.rw {
		t.db.writer.Unlock()
	} else {
		t.db.remap.RUnlock()
	}
	return nil
}

func lookupRow(ctx context.Context, key string) (string, error) {
	t := ctx.Value(txnKey{}).(*metaTxn)
	v, ok := t.db.rows[key]
	if !ok {
		return "", errors.New("not found")
	}
	return v, nil
}

type snapStore struct{ db *metaDB }

func (s *snapStore) usage(ctx context.Context, key string) (int, error) {
	ctx, t, err := s.db.begin(ctx, false)
	if err != nil {
		return 0, err
	}
	v, err := lookupRow(ctx, key)
	if err != nil {
		return 0, err // want `usage returns here with s.db.remap still read-locked by the handle begin returned \(line \d+\), and drops the handle`
	}
	t.Rollback()
	return len(v), nil
}

// The fix.
func (s *snapStore) usageFixed(ctx context.Context, key string) (int, error) {
	ctx, t, err := s.db.begin(ctx, false)
	if err != nil {
		return 0, err
	}
	v, err := lookupRow(ctx, key)
	if err != nil {
		t.Rollback()
		return 0, err
	}
	t.Rollback()
	return len(v), nil
}

// The same bug written another way: the handle is the only result, an
// interface whose Close gives the read lock back, reached through two
// fields, and the return that drops it leaves a loop.
type segment struct {
	mu   sync.RWMutex
	data []byte
}

// SegReader reads one segment while it is open.
type SegReader interface {
	At(i int) (byte, bool)
	Close()
}

type segReader struct{ seg *segment }

func (s *segment) open() SegReader {
	s.mu.RLock()
	return &segReader{seg: s}
}

func (r *segReader) At(i int) (byte, bool) {
	if i >= len(r.seg.data) {
		return 0, false
	}
	return r.seg.data[i], true
}

func (r *segReader) Close() { r.seg.mu.RUnlock() }

func (s *segment) compact() {
	s.mu.Lock()
	s.data = s.data[:0]
	s.mu.Unlock()
}

type segIndex struct{ cur *segment }

type segSearcher struct{ idx *segIndex }

func (s *segSearcher) find(want byte) int {
	rd := s.idx.cur.open()
	for i := 0; ; i++ {
		b, ok := rd.At(i)
		if !ok {
			break
		}
		if b == want {
			return i // want `find returns here with s.idx.cur.mu still read-locked by the handle open returned \(line \d+\), and drops the handle`
		}
	}
	rd.Close()
	return -1
}

// Its fix, and look-alikes that keep the handle alive: returned to the
// caller, or closed by the goroutine it is handed to.
func (s *segSearcher) findFixed(want byte) int {
	rd := s.idx.cur.open()
	defer rd.Close()
	for i := 0; ; i++ {
		b, ok := rd.At(i)
		if !ok {
			return -1
		}
		if b == want {
			return i
		}
	}
}

func (s *segSearcher) reader(min int) (SegReader, error) {
	rd := s.idx.cur.open()
	if _, ok := rd.At(min); ok {
		return rd, nil
	}
	rd.Close()
	return nil, errors.New("segment too short")
}

func (s *segSearcher) scanAsync(out chan<- byte) error {
	rd := s.idx.cur.open()
	if _, ok := rd.At(0); !ok {
		rd.Close()
		return errors.New("empty")
	}
	go func() {
		defer rd.Close()
		for i := 0; ; i++ {
			b, ok := rd.At(i)
			if !ok {
				return
			}
			out <- b
		}
	}()
	return nil
}

// A third writing: the context is dropped with the blank identifier and
// the early return is a switch case; the write transaction's writer lock
// is what stays held.
func (s *snapStore) rename(ctx context.Context, from, to string) error {
	_, t, _ := s.db.begin(ctx, true)
	switch v, ok := s.db.rows[from]; {
	case !ok:
		return errors.New("no such row") // want `rename returns here with s.db.writer still locked by the handle begin returned \(line \d+\), and drops the handle`
	default:
		s.db.rows[to] = v
		delete(s.db.rows, from)
	}
	return t.Commit()
}

// Its look-alike: every path ends the transaction.
func (s *snapStore) renameFixed(ctx context.Context, from, to string) error {
	_, t, _ := s.db.begin(ctx, true)
	switch v, ok := s.db.rows[from]; {
	case !ok:
		t.Rollback()
		return errors.New("no such row")
	default:
		s.db.rows[to] = v
		delete(s.db.rows, from)
	}
	return t.Commit()
}
