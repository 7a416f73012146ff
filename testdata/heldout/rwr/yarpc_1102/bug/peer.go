// Package bug is a held-out kernel (issue 14): subscribers notified under
// the peer's read lock read-lock the peer again through an interface.
//
// Upstream: yarpc/yarpc-go#1102 ("hostport: Unwrap lock around notifications", prevents the deadlock of yarpc/yarpc-go#1058)
//
// Bug: Peer.notifyStatusChanged holds p.lock for reading while it calls
// each Subscriber's NotifyStatusChanged; the peer list subscriber asks the
// peer for its Status, which read-locks p.lock again. A SetStatus waiting
// for the write lock in between blocks the nested RLock, and everything
// stops.
//
// Fix: the subscribers are copied under the lock and notified after it is
// released.
package bug

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
	p.lock.RLock() // heldout:site
	defer p.lock.RUnlock()
	return Status{PendingRequestCount: p.pending, ConnectionStatus: p.connectionStatus}
}

// SetStatus records a new connection status and notifies the subscribers.
func (p *Peer) SetStatus(status int) {
	p.lock.Lock() // heldout:site
	p.connectionStatus = status
	p.lock.Unlock()
	p.notifyStatusChanged()
}

func (p *Peer) notifyStatusChanged() {
	p.lock.RLock()
	defer p.lock.RUnlock()
	for sub := range p.subscribers {
		sub.NotifyStatusChanged(p) // heldout:site
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
