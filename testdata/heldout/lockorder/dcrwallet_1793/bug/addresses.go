// Package bug is a held-out kernel (issue 14): a wallet whose address
// mutex and database writer lock are taken in both orders: deriving an
// address takes the address mutex and then opens a transaction, while
// buying tickets derives addresses from inside a transaction.
//
// Upstream: decred/dcrwallet#1793 ("Lock order issue causes deadlocks", fixed by decred/dcrwallet#1794)
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: nextAddress locks addressBuffersMu and, when it is given no open
// transaction, persists the returned child index in a new walletdb.Update
// (address mutex, then database lock). purchaseTickets runs inside
// walletdb.Update and calls the address function for the voting and
// subsidy addresses, which locks addressBuffersMu (database lock, then
// address mutex). A ticket purchase and any other address request
// deadlock. The goroutine dump gives the two call chains; the
// buffers and the derivation are our reduction.
//
// Fix: the address functions are called before the database update, and
// they always persist with a nil transaction, so a transaction is only
// ever opened with the address mutex held, never the other way round.
package bug

import (
	"encoding/binary"
	"fmt"
	"sync"
)

type bip0044AccountData struct {
	albExternal uint32
	albInternal uint32
}

// Wallet is the part of the wallet that hands out addresses.
type Wallet struct {
	db               *DB
	addressBuffersMu sync.Mutex
	addressBuffers   map[uint32]*bip0044AccountData
}

// NewWallet returns a wallet over db with one account.
func NewWallet(db *DB) *Wallet {
	return &Wallet{db: db, addressBuffers: map[uint32]*bip0044AccountData{0: {}}}
}

func (w *Wallet) persistReturnedChild(dbtx ReadWriteTx, account, branch, child uint32) error {
	put := func(tx ReadWriteTx) error {
		var v [4]byte
		binary.LittleEndian.PutUint32(v[:], child)
		return tx.Put([]byte("lastreturned"), []byte(fmt.Sprintf("%d/%d", account, branch)), v[:])
	}
	if dbtx != nil {
		return put(dbtx)
	}
	return Update(w.db, put) // heldout:site
}

// nextAddress returns the next address of the account's branch.
func (w *Wallet) nextAddress(dbtx ReadWriteTx, account, branch uint32) (string, error) {
	w.addressBuffersMu.Lock() // heldout:site
	defer w.addressBuffersMu.Unlock()

	ad, ok := w.addressBuffers[account]
	if !ok {
		return "", fmt.Errorf("account %d not found", account)
	}
	child := &ad.albExternal
	if branch == 1 {
		child = &ad.albInternal
	}
	if err := w.persistReturnedChild(dbtx, account, branch, *child); err != nil {
		return "", err
	}
	addr := fmt.Sprintf("addr-%d-%d-%d", account, branch, *child)
	*child++
	return addr, nil
}

// NewInternalAddress returns a change address.
func (w *Wallet) NewInternalAddress(account uint32) (string, error) {
	return w.nextAddress(nil, account, 1)
}
