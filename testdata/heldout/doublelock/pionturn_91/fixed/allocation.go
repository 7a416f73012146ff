// Package fixed is the fixed version of doublelock/pionturn_91: the
// handlers call setLifetime without the allocation lock around it.
package fixed

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
	a.mu.Lock()
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

	a.setLifetime(lifetime)
	return a
}

func (s *Server) handleRefreshRequest(ft FiveTuple, lifetime time.Duration) bool {
	s.lock.RLock()
	a := s.allocations[ft]
	s.lock.RUnlock()
	if a == nil {
		return false
	}
	a.setLifetime(lifetime)
	return true
}
