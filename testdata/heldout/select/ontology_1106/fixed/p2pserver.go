// Package fixed is the fixed version of select/ontology_1106: the
// heartbeat goroutine returns when it is told to quit.
package fixed

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
		select {
		case <-t.C:
			this.ping()
			this.timeout()
		case <-this.quitHeartBeat:
			t.Stop()
			return
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
