// Package fixed is the fixed version of rwr/yarpc_1102: subscribers are
// notified outside the peer's lock.
package fixed

import "sync"

// Status is a peer's connection status.
type Status struct {
	PendingRequestCount int
	ConnectionStatus    int
}

// Subscriber is told when a peer's status changes.
type Subscriber interface {
	NotifyStatusChanged(p *Peer)
}

// Peer is a host:port peer.
type Peer struct {
	lock             sync.RWMutex
	addr             string
	connectionStatus int
	pending          int
	subscribers      map[Subscriber]struct{}
}

// Status returns the peer's status.
func (p *Peer) Status() Status {
	p.lock.RLock()
	defer p.lock.RUnlock()
	return Status{PendingRequestCount: p.pending, ConnectionStatus: p.connectionStatus}
}

// SetStatus records a new connection status and notifies the subscribers.
func (p *Peer) SetStatus(status int) {
	p.lock.Lock()
	p.connectionStatus = status
	p.lock.Unlock()
	p.notifyStatusChanged()
}

func (p *Peer) notifyStatusChanged() {
	p.lock.RLock()
	subs := make([]Subscriber, 0, len(p.subscribers))
	for sub := range p.subscribers {
		subs = append(subs, sub)
	}
	p.lock.RUnlock()
	for _, sub := range subs {
		sub.NotifyStatusChanged(p)
	}
}

// List is a round-robin peer list.
type List struct {
	mu        sync.Mutex
	available map[string]*Peer
}

// NotifyStatusChanged moves the peer in or out of the available set.
func (pl *List) NotifyStatusChanged(p *Peer) {
	status := p.Status()
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if status.ConnectionStatus == 1 {
		pl.available[p.addr] = p
	} else {
		delete(pl.available, p.addr)
	}
}
