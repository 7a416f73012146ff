// Package bug is a held-out kernel (issue 14): the DEX client's wallet
// reports its state under its read lock and, to fill in the Open field,
// asks locallyUnlocked, which takes the same read lock again; a balance
// update asking for the write lock between the two makes the nested RLock
// wait behind the writer, and the writer waits for the outer RLock.
//
// Upstream: decred/dcrdex#851 ("core: fix recursive wallet rlock")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the review thread: xcWallet.state holds w.mtx.RLock and calls
// w.locallyUnlocked(), which RLocks w.mtx; "The other place the mutex is
// hanging is in a call to setBalance, which is a write-lock. If the order
// is rlock1 -> lock -> rlock2, it'll hang." The asset backend, the
// connector and the balance type are reduced to small stand-ins; the
// caller that builds the user's view is our reduction.
//
// Fix: state computes Open inline from encPW and pw, which it already
// holds the read lock for, instead of calling locallyUnlocked.
package bug

import "sync"

// Balance is a wallet balance.
type Balance struct {
	Available uint64
	Locked    uint64
}

// WalletInfo describes the asset.
type WalletInfo struct {
	Name  string
	Units string
}

// Wallet is the asset backend.
type Wallet interface {
	Info() *WalletInfo
	Locked() bool
}

// WalletState is what the UI is shown.
type WalletState struct {
	Symbol  string
	AssetID uint32
	Open    bool
	Running bool
	Balance *Balance
	Address string
	Units   string
}

type connector struct {
	mtx sync.RWMutex
	on  bool
}

func (c *connector) On() bool {
	c.mtx.RLock()
	defer c.mtx.RUnlock()
	return c.on
}

// xcWallet is a wallet for one asset of the exchange.
type xcWallet struct {
	Wallet
	connector *connector
	AssetID   uint32
	symbol    string

	mtx     sync.RWMutex
	encPW   []byte
	pw      string
	balance *Balance
	address string
}

// setBalance records a new balance.
func (w *xcWallet) setBalance(bal *Balance) {
	w.mtx.Lock() // heldout:site
	w.balance = bal
	w.mtx.Unlock()
}

// locallyUnlocked says whether the wallet can be used without the user:
// it is not encrypted or its password is cached.
func (w *xcWallet) locallyUnlocked() bool {
	w.mtx.RLock() // heldout:site
	defer w.mtx.RUnlock()
	return len(w.encPW) == 0 || len(w.pw) > 0
}

// state returns the current WalletState.
func (w *xcWallet) state() *WalletState {
	w.mtx.RLock() // heldout:site
	defer w.mtx.RUnlock()
	winfo := w.Info()
	return &WalletState{
		Symbol:  w.symbol,
		AssetID: w.AssetID,
		Open:    w.locallyUnlocked(), // heldout:site
		Running: w.connector.On(),
		Balance: w.balance,
		Address: w.address,
		Units:   winfo.Units,
	}
}

// Core holds the user's wallets.
type Core struct {
	walletMtx sync.RWMutex
	wallets   map[uint32]*xcWallet
}

// assetMap returns every wallet's state for the user view.
func (c *Core) assetMap() map[uint32]*WalletState {
	c.walletMtx.RLock()
	defer c.walletMtx.RUnlock()
	m := make(map[uint32]*WalletState, len(c.wallets))
	for id, w := range c.wallets {
		m[id] = w.state()
	}
	return m
}

// updateBalance is called when a block or a trade changes a balance.
func (c *Core) updateBalance(assetID uint32, bal *Balance) {
	c.walletMtx.RLock()
	w := c.wallets[assetID]
	c.walletMtx.RUnlock()
	if w != nil {
		w.setBalance(bal)
	}
}
