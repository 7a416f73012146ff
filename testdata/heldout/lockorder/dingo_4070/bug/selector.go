// Package bug is a held-out kernel (issue 14): the chain selector and the
// chainsync state take their two mutexes in opposite orders.
//
// Upstream: blinklabs-io/dingo#4070 ("chainselection/chainsync lock order inversion deadlocks chain sync")
// Round: 3
//
// Bug: path A, the peer-tip-update handler, holds ChainSelector.mutex
// while it asks the chainsync state about the peer's connection (which
// takes State.clientConnIdMutex). Path B, chainsync's header delivery,
// holds clientConnIdMutex in RecordObservedHeader and asks the selector
// for GenesisSelectionState, which read-locks ChainSelector.mutex. Under
// real traffic both paths run at once and chain sync stops for good with
// nothing logged. The issue and the fix (#4083) name the two paths; the
// fields and the helpers between them are our reduction.
//
// Fix: the selector keeps the Genesis mode and window in atomics,
// refreshed under its mutex whenever they change, so
// GenesisSelectionState no longer takes the mutex.
package bug

import "sync"

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
}

// GenesisSelectionState reports whether Genesis selection is active and
// its window.
func (cs *ChainSelector) GenesisSelectionState() (bool, uint64) {
	cs.mutex.RLock() // heldout:site
	defer cs.mutex.RUnlock()
	if cs.mode != ModeGenesis {
		return false, 0
	}
	return true, 3 * cs.securityParam
}

// HandlePeerTipUpdateEvent records a peer's new tip and reevaluates the
// best chain.
func (cs *ChainSelector) HandlePeerTipUpdateEvent(conn ConnectionId, tip PeerTip) {
	cs.mutex.Lock()
	defer cs.mutex.Unlock()
	if !cs.chainsync.IsActiveClient(conn) { // heldout:site
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
}
