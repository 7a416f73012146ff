// Package fixed is the fixed version of rwr/dcrdex_2696: the wallet's read
// lock is released before updateBondReserves takes it again.
package fixed

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
	w.mtx.RLock()
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
	w.mtx.RLock()
	connected := w.connected
	w.mtx.RUnlock()
	if !connected {
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
	w.mtx.Lock()
	w.peerCount = numPeers
	w.mtx.Unlock()
}

// handleWalletNotification records a balance change.
func (c *Core) handleWalletNotification(w *xcWallet, bal uint64) {
	w.mtx.Lock()
	w.balance = bal
	w.mtx.Unlock()
	c.updateBondReserves(w.AssetID)
}
