// Package fixed is the fixed version of lockorder/dcrwallet_2199:
// nextAddress releases addressBuffersMu before it opens the database
// transaction.
package fixed

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
	db.mu.Lock()
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
	w.addressBuffersMu.Lock()
	ab, ok := w.addressBuffers[account]
	if !ok {
		ab = &addressBuffer{}
		w.addressBuffers[account] = ab
	}
	ab.cursor++
	child := ab.lastUsed + ab.cursor
	w.addressBuffersMu.Unlock()

	if err := w.persist(account, child); err != nil {
		return 0, err
	}
	return child, nil
}

// DiscoverActiveAddresses records the last used child of each account.
func (w *Wallet) DiscoverActiveAddresses(used map[uint32]uint32) error {
	return w.db.Update(func(tx *ReadWriteTx) error {
		for account, last := range used {
			tx.children[account] = last
			w.addressBuffersMu.Lock()
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
