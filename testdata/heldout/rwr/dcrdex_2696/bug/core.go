// Package bug is a held-out kernel (issue 14): a DEX client that, while
// holding a wallet's read lock for the whole of connectWalletResumeTrades,
// recomputes bond reserves through a path that read-locks the same wallet
// again, so a wallet notification queuing for the write lock in between
// blocks both for ever.
//
// Upstream: decred/dcrdex#2696 ("core: Fix deadlock in `c.connectWalletResumeTrades`")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: connectWalletResumeTrades read-locks the wallet and defers the
// RUnlock; before returning it calls updateBondReserves, which reads the
// wallet's balance under a second RLock. If handleWalletNotification or
// peerChange asks for the write lock between the two, the second RLock
// waits behind the queued writer, and the writer waits for the first
// RLock, which is released only when connectWalletResumeTrades returns.
// The PR names the three functions and the locks; which fields the lock
// guards, and the bodies, are our reduction.
//
// Fix: connectWalletResumeTrades reads what it needs under the read lock
// and releases it before calling updateBondReserves.
package bug

import "sync"

// Wallet is the asset backend.
type Wallet interface {
	Connect() error
	Balance() (uint64, error)
}

type xcWallet struct {
	Wallet
	AssetID uint32

	mtx       sync.RWMutex
	connected bool
	peerCount uint32
	balance   uint64
}

func (w *xcWallet) currentBalance() uint64 {
	w.mtx.RLock() // heldout:site
	defer w.mtx.RUnlock()
	return w.balance
}

// Core is the DEX client core.
type Core struct {
	walletMtx sync.RWMutex
	wallets   map[uint32]*xcWallet

	reserveMtx sync.Mutex
	reserves   map[uint32]uint64
}

func (c *Core) updateBondReserves(assetID uint32) {
	c.walletMtx.RLock()
	w := c.wallets[assetID]
	c.walletMtx.RUnlock()
	if w == nil {
		return
	}
	bal := w.currentBalance()
	c.reserveMtx.Lock()
	c.reserves[assetID] = bal / 10
	c.reserveMtx.Unlock()
}

func (c *Core) connectWalletResumeTrades(w *xcWallet, resume bool) error {
	w.mtx.RLock() // heldout:site
	defer w.mtx.RUnlock()
	if !w.connected {
		if err := w.Connect(); err != nil {
			return err
		}
	}
	if resume {
		c.updateBondReserves(w.AssetID)
	}
	return nil
}

// peerChange records a wallet's new peer count.
func (c *Core) peerChange(w *xcWallet, numPeers uint32) {
	w.mtx.Lock() // heldout:site
	w.peerCount = numPeers
	w.mtx.Unlock()
}

// handleWalletNotification records a balance change.
func (c *Core) handleWalletNotification(w *xcWallet, bal uint64) {
	w.mtx.Lock() // heldout:site
	w.balance = bal
	w.mtx.Unlock()
	c.updateBondReserves(w.AssetID)
}
