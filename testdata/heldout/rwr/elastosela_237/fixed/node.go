// Package fixed is the fixed version of rwr/elastosela_237: the neighbors'
// lock is taken only inside nbrNodes' own methods, and the sync-peer lookup
// scans the map under a single read lock.
package fixed

import (
	"sync"
)

// Noder is a connected peer.
type Noder interface {
	ID() uint64
	IsSyncHeaders() bool
}

type nbrNodes struct {
	sync.RWMutex
	List map[uint64]Noder
}

type node struct {
	id uint64
	nbrNodes
}

func newNode(id uint64) *node {
	return &node{id: id, nbrNodes: nbrNodes{List: make(map[uint64]Noder)}}
}

// AddNbrNode records a peer that finished its handshake.
func (nm *nbrNodes) AddNbrNode(n Noder) {
	nm.Lock()
	defer nm.Unlock()
	nm.List[n.ID()] = n
}

// GetNeighborNoder lists the connected neighbors.
func (nm *nbrNodes) GetNeighborNoder() []Noder {
	nm.RLock()
	defer nm.RUnlock()
	nodes := make([]Noder, 0, len(nm.List))
	for _, n := range nm.List {
		nodes = append(nodes, n)
	}
	return nodes
}

// GetSyncPeer returns the neighbor headers are synced from, if any.
func (nm *nbrNodes) GetSyncPeer() (bool, Noder) {
	nm.RLock()
	defer nm.RUnlock()
	for _, n := range nm.List {
		if n.IsSyncHeaders() {
			return true, n
		}
	}
	return false, nil
}

func (node *node) hasSyncPeer() (bool, Noder) {
	return node.nbrNodes.GetSyncPeer()
}

type peer struct {
	id      uint64
	syncing bool
}

func (p *peer) ID() uint64          { return p.id }
func (p *peer) IsSyncHeaders() bool { return p.syncing }

// SyncBlocks runs the sync loop while peers keep connecting.
func SyncBlocks() bool {
	n := newNode(1)
	n.AddNbrNode(&peer{id: 2, syncing: true})

	done := make(chan struct{})
	go func() {
		defer close(done)
		for id := uint64(3); id < 100; id++ {
			n.AddNbrNode(&peer{id: id})
		}
	}()
	found := false
	for i := 0; i < 100; i++ {
		found, _ = n.hasSyncPeer()
	}
	<-done
	return found
}
