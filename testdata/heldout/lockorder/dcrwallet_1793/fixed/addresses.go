// Package fixed is the fixed version of lockorder/dcrwallet_1793: ticket
// addresses are derived before the database update, each persisting in its
// own transaction under the address mutex.
package fixed

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
	return Update(w.db, put)
}

// nextAddress returns the next address of the account's branch.
func (w *Wallet) nextAddress(dbtx ReadWriteTx, account, branch uint32) (string, error) {
	w.addressBuffersMu.Lock()
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
