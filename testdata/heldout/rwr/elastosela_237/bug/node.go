// Package bug is a held-out kernel (issue 14): an ELA node keeps its
// neighbors in a map guarded by the nbrNodes RWMutex. hasSyncPeer, which
// the sync loop calls to find the peer it syncs headers from, takes the
// read lock and then lists the neighbors through GetNeighborNoder, which
// takes the read lock again. When a new peer finishes its handshake and
// AddNbrNode asks for the write lock between the two RLocks, the writer
// waits for hasSyncPeer's first read lock and the second RLock waits
// behind the writer: the sync loop and the handshake both block forever,
// and every later neighbor lookup with them.
//
// Upstream: elastos/Elastos.ELA#237 ("refactor nodemap to neighbors to fix concurrency mutex dead lock issue")
// Round: 16
//
// Bug: the PR names hasSyncPeer taking neighbors' RLock twice while a
// write can come in between; the node, its nbrNodes map, AddNbrNode,
// GetNeighborNoder and hasSyncPeer are our reduction of the node package
// of that time (peers are reduced to an interface with the one method
// used), as are the sync loop and the handshake that drive them.
//
// Fix: the PR moves every method that takes the neighbors' lock into one
// type, so each lookup takes the lock once; hasSyncPeer becomes one such
// method that scans the map under a single read lock.
package bug

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
	nm.Lock() // heldout:site
	defer nm.Unlock()
	nm.List[n.ID()] = n
}

// GetNeighborNoder lists the connected neighbors.
func (nm *nbrNodes) GetNeighborNoder() []Noder {
	nm.RLock() // heldout:site
	defer nm.RUnlock()
	nodes := make([]Noder, 0, len(nm.List))
	for _, n := range nm.List {
		nodes = append(nodes, n)
	}
	return nodes
}

func (node *node) hasSyncPeer() (bool, Noder) {
	node.nbrNodes.RLock() // heldout:site
	defer node.nbrNodes.RUnlock()
	for _, n := range node.GetNeighborNoder() {
		if n.IsSyncHeaders() {
			return true, n
		}
	}
	return false, nil
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
