// Package bug is a held-out kernel (issue 14): Ontology's P2P server stops
// its heartbeat goroutine with one send on quitHeartBeat, but the
// goroutine's `break` in that select case leaves only the select, so the
// loop selects again on the stopped ticker and on a quit channel nobody
// will send on again, and the goroutine is left blocked for ever after
// every Stop.
//
// Upstream: ontio/ontology#1106 ("Break whole loop in heartBeatService")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Start runs heartBeatService in its own goroutine: a ticker every
// block interval pings the neighbours and drops the ones that timed out;
// the quitHeartBeat case stops the ticker and does `break`. Stop halts the
// network and sends once on each unbuffered quit channel. The break ends
// the select, not the for loop: the next select waits on t.C, which a
// stopped ticker never fills, and on quitHeartBeat, which Stop never
// sends on again. The PR: "what it actually break is only the select
// block, i.e. we still in for loop". The network, peers and messages are
// reduced to what ping and timeout use; keepOnlineService, whose quit
// case has the same break and which the PR did not change, is left out
// of both versions, and so is the message router.
//
// Fix (ontio/ontology#1106): the quit case returns instead of breaking.
package bug

import (
	"errors"
	"sync"
	"time"
)

// SyncState is a peer's handshake state.
type SyncState int

const (
	INIT SyncState = iota
	ESTABLISH
	INACTIVITY
)

// Peer is a neighbour.
type Peer struct {
	ID          uint64
	mu          sync.Mutex
	state       SyncState
	contactTime time.Time
}

// GetSyncState returns the peer's state.
func (p *Peer) GetSyncState() SyncState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// GetContactTime is the last time the peer answered.
func (p *Peer) GetContactTime() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.contactTime
}

// Network is the P2P network layer.
type Network interface {
	Start()
	Halt()
	GetNeighbors() []*Peer
	Send(p *Peer, msg []byte) error
	RemovePeer(id uint64)
}

// Ledger gives the current height for pings.
type Ledger interface {
	GetCurrentBlockHeight() uint32
}

const (
	blockInterval = 6 * time.Second
	keepAliveTime = 3 * blockInterval
)

// P2PServer controls the P2P services.
type P2PServer struct {
	network       Network
	ledger        Ledger
	quitHeartBeat chan bool
}

// NewServer returns a P2P server.
func NewServer(n Network, l Ledger) (*P2PServer, error) {
	if n == nil {
		return nil, errors.New("[p2p]network invalid")
	}
	return &P2PServer{network: n, ledger: l, quitHeartBeat: make(chan bool)}, nil
}

// Start creates all services.
func (this *P2PServer) Start() error {
	this.network.Start()
	go this.heartBeatService()
	return nil
}

// Stop halts all services by sending a signal to their channels.
func (this *P2PServer) Stop() error {
	this.network.Halt()
	this.quitHeartBeat <- true
	return nil
}

// heartBeatService pings the neighbours and checks their timeouts.
func (this *P2PServer) heartBeatService() {
	t := time.NewTicker(blockInterval)
	for {
		select { // heldout:site
		case <-t.C:
			this.ping()
			this.timeout()
		case <-this.quitHeartBeat:
			t.Stop()
			break // heldout:site
		}
	}
}

// ping sends a ping with our height to every established neighbour.
func (this *P2PServer) ping() {
	height := this.ledger.GetCurrentBlockHeight()
	msg := []byte{'p', 'i', 'n', 'g', byte(height >> 24), byte(height >> 16), byte(height >> 8), byte(height)}
	for _, p := range this.network.GetNeighbors() {
		if p.GetSyncState() == ESTABLISH {
			go this.network.Send(p, msg)
		}
	}
}

// timeout drops the neighbours that have not answered for too long.
func (this *P2PServer) timeout() {
	for _, p := range this.network.GetNeighbors() {
		if p.GetSyncState() == ESTABLISH && time.Since(p.GetContactTime()) > keepAliveTime {
			this.network.RemovePeer(p.ID)
		}
	}
}
