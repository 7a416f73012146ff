// Package bug is a held-out kernel (issue 14): a P2P gateway whose IP
// discovery read-locks the gateway's mutex around a call to Peers, which
// read-locks the same mutex again; a peer connecting in between queues a
// write lock, and the second RLock waits behind it for ever.
//
// Upstream: NebulousLabs/Sia#3085 ("Remove unnecessary lock")
// Round: 7
//
// Bug: managedIPFromPeers loops until it has asked enough peers for the
// node's public address; each round it does g.mu.RLock(); peers :=
// g.Peers(); g.mu.RUnlock(). Peers itself starts with g.mu.RLock() and a
// deferred RUnlock. In the thread a reviewer calls it "a deadlock risk.
// Calling Rlock; Rlock puts you at risk of deadlock if someone calls a
// writelock in another thread between the Rlock calls", quoting the
// RWMutex documentation. Here the writer is addPeer, called when a peer
// connects. The RPC fan-out of the upstream loop is reduced to a
// synchronous ask per peer.
//
// Fix: the outer RLock/RUnlock around g.Peers() is removed.
package bug

import (
	"errors"
	"net"
	"sync"
	"time"
)

const (
	minPeersForIPDiscovery     = 5
	timeoutIPDiscovery         = 5 * time.Minute
	peerDiscoveryRetryInterval = 10 * time.Second
)

// NetAddress is host:port.
type NetAddress string

// Peer is what Peers reports about a connected peer.
type Peer struct {
	NetAddress NetAddress
	Inbound    bool
	Version    string
}

type peer struct {
	Peer
	conn net.Conn
}

// Gateway connects the node to its peers.
type Gateway struct {
	mu     sync.RWMutex
	peers  map[NetAddress]*peer
	stopCh chan struct{}
	askIP  func(addr NetAddress) (string, error)
}

// New returns a gateway with no peers.
func New(askIP func(NetAddress) (string, error)) *Gateway {
	return &Gateway{peers: make(map[NetAddress]*peer), stopCh: make(chan struct{}), askIP: askIP}
}

// Peers returns the addresses of the connected peers.
func (g *Gateway) Peers() []Peer {
	g.mu.RLock() // heldout:site
	defer g.mu.RUnlock()
	var peers []Peer
	for _, p := range g.peers {
		peers = append(peers, p.Peer)
	}
	return peers
}

// addPeer records a newly connected peer.
func (g *Gateway) addPeer(p *peer) {
	g.mu.Lock() // heldout:site
	defer g.mu.Unlock()
	g.peers[p.NetAddress] = p
}

// acceptPeer is called for each inbound connection.
func (g *Gateway) acceptPeer(conn net.Conn, version string) {
	addr := NetAddress(conn.RemoteAddr().String())
	g.addPeer(&peer{Peer: Peer{NetAddress: addr, Inbound: true, Version: version}, conn: conn})
}

func (g *Gateway) managedSleep(d time.Duration) {
	select {
	case <-time.After(d):
	case <-g.stopCh:
	}
}

// managedIPFromPeers asks the connected peers for the node's public IP.
func (g *Gateway) managedIPFromPeers() (string, error) {
	timeout := time.After(timeoutIPDiscovery)
	for {
		select {
		case <-g.stopCh:
			return "", errors.New("interrupted by shutdown")
		case <-timeout:
			return "", errors.New("failed to discover ip in time")
		default:
		}
		g.mu.RLock() // heldout:site
		peers := g.Peers()
		g.mu.RUnlock()
		if len(peers) < minPeersForIPDiscovery {
			g.managedSleep(peerDiscoveryRetryInterval)
			continue
		}
		addresses := make(map[string]int)
		successful := 0
		for _, p := range peers {
			addr, err := g.askIP(p.NetAddress)
			if err != nil || net.ParseIP(addr) == nil {
				continue
			}
			addresses[addr]++
			successful++
		}
		if successful < minPeersForIPDiscovery {
			g.managedSleep(peerDiscoveryRetryInterval)
			continue
		}
		for addr, count := range addresses {
			if count > successful/2 {
				return addr, nil
			}
		}
		g.managedSleep(peerDiscoveryRetryInterval)
	}
}
