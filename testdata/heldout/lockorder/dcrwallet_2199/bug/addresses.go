// Package bug is a held-out kernel (issue 14): a wallet that takes its
// address-buffer mutex and then the database's write transaction when it
// hands out an address, and the database transaction and then the
// address-buffer mutex when it discovers used addresses.
//
// Upstream: decred/dcrwallet#2199 ("addresses: locking order leads to deadlock")
// Round: 6
//
// Bug: nextAddress locks addressBuffersMu and, still holding it, calls
// persist, which opens a walletdb.Update (the bbolt write lock) to record
// the new child index. DiscoverActiveAddresses runs inside walletdb.Update
// and, for each account it scans, locks addressBuffersMu to move the
// buffers forward. Run concurrently (the report came from a DEX client
// asking for addresses during discovery), each holds the lock the other
// needs. The issue gives both stack paths; the database is reduced to a
// mutex taken by Update, and the bodies are our reduction.
//
// Fix (ours; the thread did not show the diff): nextAddress drops
// addressBuffersMu before persisting, so the database lock is never taken
// with the address mutex held.
package bug

import "sync"

// ReadWriteTx is a database write transaction.
type ReadWriteTx struct {
	children map[uint32]uint32
}

// DB is the wallet database; Update serialises writers.
type DB struct {
	mu   sync.Mutex
	data map[uint32]uint32
}

// Update runs f in a write transaction.
func (db *DB) Update(f func(tx *ReadWriteTx) error) error {
	db.mu.Lock() // heldout:site
	defer db.mu.Unlock()
	return f(&ReadWriteTx{children: db.data})
}

type addressBuffer struct {
	lastUsed  uint32
	cursor    uint32
	lastWatch uint32
}

// Wallet hands out and discovers addresses.
type Wallet struct {
	db               *DB
	addressBuffersMu sync.Mutex
	addressBuffers   map[uint32]*addressBuffer
}

func (w *Wallet) persist(account, child uint32) error {
	return w.db.Update(func(tx *ReadWriteTx) error {
		tx.children[account] = child
		return nil
	})
}

func (w *Wallet) nextAddress(account uint32) (uint32, error) {
	w.addressBuffersMu.Lock() // heldout:site
	defer w.addressBuffersMu.Unlock()
	ab, ok := w.addressBuffers[account]
	if !ok {
		ab = &addressBuffer{}
		w.addressBuffers[account] = ab
	}
	child := ab.lastUsed + ab.cursor + 1
	if err := w.persist(account, child); err != nil {
		return 0, err
	}
	ab.cursor++
	return child, nil
}

// DiscoverActiveAddresses records the last used child of each account.
func (w *Wallet) DiscoverActiveAddresses(used map[uint32]uint32) error {
	return w.db.Update(func(tx *ReadWriteTx) error { // heldout:site
		for account, last := range used {
			tx.children[account] = last
			w.addressBuffersMu.Lock() // heldout:site
			ab, ok := w.addressBuffers[account]
			if !ok {
				ab = &addressBuffer{}
				w.addressBuffers[account] = ab
			}
			if last > ab.lastUsed {
				ab.lastUsed = last
				ab.cursor = 0
			}
			w.addressBuffersMu.Unlock()
		}
		return nil
	})
}
