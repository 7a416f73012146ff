// Package bug is a held-out kernel (issue 14): go-ethereum's freezer,
// whose ReadAncients holds the freezer's write lock for reading while it
// runs the caller's function. ReadBodyRLP's function calls
// ReadCanonicalHash, which calls ReadAncients again and read-locks the
// same RWMutex a second time; when the chain freezer's ModifyAncients
// (the write lock) queues between the two, the reader and the freezer
// wait on each other for ever and the node hangs.
//
// Upstream: ethereum/go-ethereum#24189 ("core/rawdb: fix double-lock causing hang. fixes #24159")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "Doing ReadCanonicalHash inside ReadAncients is a no-no,
// causing a double-locking." The freezer (writeLock RWMutex,
// ReadAncients running fn(f), Ancient, ModifyAncients under Lock), the
// AncientReader interface and the accessors ReadCanonicalHash and
// ReadBodyRLP follow core/rawdb; the tables are maps and the key-value
// store is a locked map, which is our reduction, as is the freeze loop.
//
// Fix: ReadBodyRLP checks canonicality with isCanon, which reads the hash
// through the AncientReader it was handed, with no second ReadAncients.
package bug

import (
	"encoding/binary"
	"errors"
	"sync"
)

// Hash is a block hash.
type Hash [32]byte

const (
	freezerHashTable   = "hashes"
	freezerBodiesTable = "bodies"
)

var errOutOfBounds = errors.New("out of bounds")

// AncientReader reads frozen chain data.
type AncientReader interface {
	Ancient(kind string, number uint64) ([]byte, error)
	Ancients() (uint64, error)
}

// Reader is the database: a key-value store with frozen ancients.
type Reader interface {
	Get(key []byte) ([]byte, error)
	ReadAncients(fn func(AncientReader) error) error
}

// freezer is the append-only store of old blocks.
type freezer struct {
	writeLock sync.RWMutex
	frozen    uint64
	tables    map[string]map[uint64][]byte
}

func newFreezer() *freezer {
	return &freezer{tables: map[string]map[uint64][]byte{
		freezerHashTable:   {},
		freezerBodiesTable: {},
	}}
}

// Ancient returns one item of a table. The caller holds the read lock.
func (f *freezer) Ancient(kind string, number uint64) ([]byte, error) {
	if number >= f.frozen {
		return nil, errOutOfBounds
	}
	return f.tables[kind][number], nil
}

// Ancients returns the number of frozen items.
func (f *freezer) Ancients() (uint64, error) { return f.frozen, nil }

// ReadAncients runs fn with the freezer read-locked, so every read in fn
// sees one consistent freezer.
func (f *freezer) ReadAncients(fn func(AncientReader) error) error {
	f.writeLock.RLock() // heldout:site
	defer f.writeLock.RUnlock()
	return fn(f)
}

// ModifyAncients appends blocks to the freezer.
func (f *freezer) ModifyAncients(hashes []Hash, bodies [][]byte) error {
	f.writeLock.Lock() // heldout:site
	defer f.writeLock.Unlock()
	for i := range hashes {
		f.tables[freezerHashTable][f.frozen] = hashes[i][:]
		f.tables[freezerBodiesTable][f.frozen] = bodies[i]
		f.frozen++
	}
	return nil
}

// freezerdb is the key-value store with its freezer.
type freezerdb struct {
	*freezer
	mu sync.Mutex
	kv map[string][]byte
}

func (db *freezerdb) Get(key []byte) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.kv[string(key)], nil
}

func encodeBlockNumber(number uint64) []byte {
	enc := make([]byte, 8)
	binary.BigEndian.PutUint64(enc, number)
	return enc
}

func headerHashKey(number uint64) []byte {
	return append(append([]byte("h"), encodeBlockNumber(number)...), 'n')
}

func blockBodyKey(number uint64, hash Hash) []byte {
	return append(append([]byte("b"), encodeBlockNumber(number)...), hash[:]...)
}

// ReadCanonicalHash retrieves the hash assigned to a canonical block
// number.
func ReadCanonicalHash(db Reader, number uint64) Hash {
	var data []byte
	db.ReadAncients(func(reader AncientReader) error { // heldout:site
		data, _ = reader.Ancient(freezerHashTable, number)
		if len(data) == 0 {
			// Get it by hash from leveldb
			data, _ = db.Get(headerHashKey(number))
		}
		return nil
	})
	var h Hash
	copy(h[:], data)
	return h
}

// ReadBodyRLP retrieves the block body in its raw encoding.
func ReadBodyRLP(db Reader, hash Hash, number uint64) []byte {
	var data []byte
	db.ReadAncients(func(reader AncientReader) error {
		// Check if the data is in ancients
		if ReadCanonicalHash(db, number) == hash { // heldout:site
			data, _ = reader.Ancient(freezerBodiesTable, number)
			return nil
		}
		// If not, try reading from leveldb
		data, _ = db.Get(blockBodyKey(number, hash))
		return nil
	})
	return data
}

// ServeBodies reads bodies (as an RPC or a peer's request does) while the
// chain freezer moves blocks into the freezer.
func ServeBodies() {
	db := &freezerdb{freezer: newFreezer(), kv: make(map[string][]byte)}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for n := uint64(0); n < 100; n++ {
			_ = ReadBodyRLP(db, Hash{byte(n)}, n)
		}
	}()
	go func() {
		defer wg.Done()
		for n := 0; n < 100; n++ {
			_ = db.ModifyAncients([]Hash{{byte(n)}}, [][]byte{{byte(n)}})
		}
	}()
	wg.Wait()
}
