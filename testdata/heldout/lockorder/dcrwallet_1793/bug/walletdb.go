package bug

import "sync"

// ReadWriteTx is an open read-write database transaction.
type ReadWriteTx interface {
	Put(bucket, key, value []byte) error
}

type memTx struct{ db *DB }

func (tx *memTx) Put(bucket, key, value []byte) error {
	tx.db.data[string(bucket)+"/"+string(key)] = append([]byte(nil), value...)
	return nil
}

// DB serializes read-write transactions with one writer lock, as bbolt
// does.
type DB struct {
	rwlock sync.Mutex
	data   map[string][]byte
}

// NewDB returns an empty database.
func NewDB() *DB { return &DB{data: make(map[string][]byte)} }

// Update runs f in a read-write transaction.
func Update(db *DB, f func(ReadWriteTx) error) error {
	db.rwlock.Lock() // heldout:site
	defer db.rwlock.Unlock()
	return f(&memTx{db: db})
}
