// Package fixed is the fixed version of rwr/sia_3085: IP discovery calls
// Peers without holding the gateway's read lock.
package fixed

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
	g.mu.RLock()
	defer g.mu.RUnlock()
	var peers []Peer
	for _, p := range g.peers {
		peers = append(peers, p.Peer)
	}
	return peers
}

// addPeer records a newly connected peer.
func (g *Gateway) addPeer(p *peer) {
	g.mu.Lock()
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
		peers := g.Peers()
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
