// Package fixed is the fixed version of lockorder/dingo_4070:
// GenesisSelectionState reads atomics instead of taking the selector's
// mutex.
package fixed

import (
	"sync"
	"sync/atomic"
)

type Mode int

const (
	ModePraos Mode = iota
	ModeGenesis
)

type ConnectionId string

type PeerTip struct {
	Slot        uint64
	BlockNumber uint64
}

// ChainSelector picks the best chain among the peers' tips.
type ChainSelector struct {
	mutex         sync.RWMutex
	mode          Mode
	securityParam uint64
	peerTips      map[ConnectionId]PeerTip
	bestPeer      ConnectionId

	chainsync *State

	// Refreshed under mutex whenever mode or securityParam change, so
	// that GenesisSelectionState needs no lock.
	genesisSelectionActive atomic.Bool
	genesisSelectionWindow atomic.Uint64
}

func (cs *ChainSelector) refreshGenesisSelectionSnapshotLocked() {
	cs.genesisSelectionActive.Store(cs.mode == ModeGenesis)
	cs.genesisSelectionWindow.Store(3 * cs.securityParam)
}

// GenesisSelectionState reports whether Genesis selection is active and
// its window.
func (cs *ChainSelector) GenesisSelectionState() (bool, uint64) {
	if !cs.genesisSelectionActive.Load() {
		return false, 0
	}
	return true, cs.genesisSelectionWindow.Load()
}

// HandlePeerTipUpdateEvent records a peer's new tip and reevaluates the
// best chain.
func (cs *ChainSelector) HandlePeerTipUpdateEvent(conn ConnectionId, tip PeerTip) {
	cs.mutex.Lock()
	defer cs.mutex.Unlock()
	if !cs.chainsync.IsActiveClient(conn) {
		return
	}
	cs.peerTips[conn] = tip
	if best, ok := cs.peerTips[cs.bestPeer]; !ok || tip.BlockNumber > best.BlockNumber {
		cs.bestPeer = conn
	}
}

// SetSecurityParam is called when the protocol parameters change.
func (cs *ChainSelector) SetSecurityParam(k uint64) {
	cs.mutex.Lock()
	defer cs.mutex.Unlock()
	cs.securityParam = k
	cs.refreshGenesisSelectionSnapshotLocked()
}
