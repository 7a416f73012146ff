// Package bug is a held-out kernel (issue 14): a TURN server whose request
// handlers lock an allocation around a call to its setLifetime, which
// locks the same allocation mutex itself.
//
// Upstream: pion/turn#91 ("Removing outer locks around setLifetime")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: the Allocate and Refresh handlers take the allocation's lock and
// call setLifetime to (re)arm the lifetime timer; setLifetime takes that
// lock too, so the first allocation or refresh blocks its handler for
// ever, with the allocation locked for every relayed packet after it. The
// PR says the outer locks cause a deadlock "as setLifetime wants the same
// lock"; the allocation's fields and the handlers' bodies are our
// reduction.
//
// Fix: the handlers call setLifetime without taking the lock around it.
package bug

import (
	"net"
	"sync"
	"time"
)

// FiveTuple identifies an allocation.
type FiveTuple struct {
	SrcAddr, DstAddr string
	Protocol         int
}

// Allocation is one client's relay.
type Allocation struct {
	fiveTuple     FiveTuple
	RelayAddr     net.Addr
	lifetimeTimer *time.Timer
	permissions   map[string]time.Time

	mu     sync.Mutex
	closed bool
}

func (a *Allocation) close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
}

// setLifetime (re)arms the allocation's expiry.
func (a *Allocation) setLifetime(lifetime time.Duration) {
	a.mu.Lock() // heldout:site
	defer a.mu.Unlock()
	if a.lifetimeTimer != nil {
		a.lifetimeTimer.Stop()
	}
	a.lifetimeTimer = time.AfterFunc(lifetime, a.close)
}

// Server is a TURN server.
type Server struct {
	lock        sync.RWMutex
	allocations map[FiveTuple]*Allocation
}

func (s *Server) handleAllocateRequest(ft FiveTuple, relay net.Addr, lifetime time.Duration) *Allocation {
	a := &Allocation{fiveTuple: ft, RelayAddr: relay, permissions: make(map[string]time.Time)}
	s.lock.Lock()
	s.allocations[ft] = a
	s.lock.Unlock()

	a.mu.Lock() // heldout:site
	a.setLifetime(lifetime)
	a.mu.Unlock()
	return a
}

func (s *Server) handleRefreshRequest(ft FiveTuple, lifetime time.Duration) bool {
	s.lock.RLock()
	a := s.allocations[ft]
	s.lock.RUnlock()
	if a == nil {
		return false
	}
	a.mu.Lock() // heldout:site
	a.setLifetime(lifetime)
	a.mu.Unlock()
	return true
}
