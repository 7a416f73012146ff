package dev

import (
	"context"
	"errors"
	"sync"
)

// Handles passed on by wrappers (containerd/containerd#6722 and its kin):
// the function that takes the lock returns a handle whose method releases
// it, and a wrapper of another type hands that handle back (among other
// results); its caller drops it on one return.

// First writing: a key-value engine whose write batch holds the engine's
// writer lock; the store's method wraps the engine's begin and returns
// its two results as they are.
type kvEngine struct {
	wmu  sync.Mutex
	keys map[string][]byte
}

type wbatch struct {
	eng *kvEngine
	put map[string][]byte
}

func (e *kvEngine) newBatch() (*wbatch, error) {
	e.wmu.Lock()
	return &wbatch{eng: e, put: map[string][]byte{}}, nil
}

func (b *wbatch) commit() {
	for k, v := range b.put {
		b.eng.keys[k] = v
	}
	b.eng.wmu.Unlock()
}

func (b *wbatch) discard() { b.eng.wmu.Unlock() }

type kvStore struct{ eng *kvEngine }

func (s *kvStore) batch() (*wbatch, error) {
	return s.eng.newBatch()
}

func (s *kvStore) rename(from, to string) error {
	b, err := s.batch()
	if err != nil {
		return err
	}
	v, ok := s.eng.keys[from]
	if !ok {
		return errors.New("no such key") // want `rename returns here with s.eng.wmu still locked by the handle batch returned \(line \d+\), and drops the handle`
	}
	b.put[to] = v
	b.commit()
	return nil
}

// Its fix: the early return discards the batch.
func (s *kvStore) renameFixed(from, to string) error {
	b, err := s.batch()
	if err != nil {
		return err
	}
	v, ok := s.eng.keys[from]
	if !ok {
		b.discard()
		return errors.New("no such key")
	}
	b.put[to] = v
	b.commit()
	return nil
}

// A look-alike that hands the batch on to its caller on the early return.
func (s *kvStore) renameOrBatch(from, to string) (*wbatch, error) {
	b, err := s.batch()
	if err != nil {
		return nil, err
	}
	if _, ok := s.eng.keys[from]; !ok {
		return b, errors.New("no such key")
	}
	b.commit()
	return nil, nil
}

// Second writing: a package-level wrapper takes the database as a
// parameter, gives a context and an interface handle, and the handle's
// read lock is what stays held; the early return is in a loop.
type indexDB struct {
	mu   sync.RWMutex
	rows []string
}

// Reader reads the index while it is open.
type Reader interface {
	Row(i int) (string, bool)
	Release()
}

type idxReader struct{ db *indexDB }

func (db *indexDB) reader() Reader {
	db.mu.RLock()
	return &idxReader{db: db}
}

func (r *idxReader) Row(i int) (string, bool) {
	if i >= len(r.db.rows) {
		return "", false
	}
	return r.db.rows[i], true
}

func (r *idxReader) Release() { r.db.mu.RUnlock() }

func (db *indexDB) add(row string) {
	db.mu.Lock()
	db.rows = append(db.rows, row)
	db.mu.Unlock()
}

type readerKey struct{}

func openReader(ctx context.Context, db *indexDB) (context.Context, Reader, error) {
	r := db.reader()
	return context.WithValue(ctx, readerKey{}, r), r, ctx.Err()
}

type indexer struct{ db *indexDB }

func (x *indexer) find(ctx context.Context, want string) (int, error) {
	_, r, err := openReader(ctx, x.db)
	if err != nil {
		return -1, err
	}
	for i := 0; ; i++ {
		row, ok := r.Row(i)
		if !ok {
			break
		}
		if row == want {
			return i, nil // want `find returns here with x.db.mu still read-locked by the handle openReader returned \(line \d+\), and drops the handle`
		}
	}
	r.Release()
	return -1, nil
}

// Its fix: a deferred Release.
func (x *indexer) findFixed(ctx context.Context, want string) (int, error) {
	_, r, err := openReader(ctx, x.db)
	if err != nil {
		return -1, err
	}
	defer r.Release()
	for i := 0; ; i++ {
		row, ok := r.Row(i)
		if !ok {
			return -1, nil
		}
		if row == want {
			return i, nil
		}
	}
}

// Third writing: two wrappers deep, the handle reached through two fields
// of the receiver, the drop in a switch case.
type journal struct {
	lock sync.Mutex
	log  []string
}

type appender struct{ j *journal }

func (j *journal) appender() *appender {
	j.lock.Lock()
	return &appender{j: j}
}

func (a *appender) done() { a.j.lock.Unlock() }

type segmentSet struct{ cur *journal }

func (s *segmentSet) open() *appender {
	a := s.cur.appender()
	return a
}

type logWriter struct{ set *segmentSet }

func (w *logWriter) appender() (*appender, bool) {
	return w.set.open(), true
}

func (w *logWriter) write(kind, line string) {
	a, _ := w.appender()
	switch kind {
	case "skip":
		return // want `write returns here with w.set.cur.lock still locked by the handle appender returned \(line \d+\), and drops the handle`
	default:
		a.j.log = append(a.j.log, line)
	}
	a.done()
}

// Its fix, and a look-alike whose wrapper gives one of two handles (no
// single call whose result it is: nothing is known about it).
func (w *logWriter) writeFixed(kind, line string) {
	a, _ := w.appender()
	defer a.done()
	if kind != "skip" {
		a.j.log = append(a.j.log, line)
	}
}

func (w *logWriter) either(other *segmentSet, first bool) *appender {
	if first {
		return w.set.open()
	}
	return other.open()
}

func (w *logWriter) writeEither(other *segmentSet, line string) {
	a := w.either(other, len(line) > 3)
	if line == "" {
		return
	}
	a.j.log = append(a.j.log, line)
	a.done()
}
