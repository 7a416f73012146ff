// Package fixed is the fixed version of lockorder/grpcgo_3047: the backoffs
// are reset after cc.mu is released.
package fixed

import "sync"

type connectivityState int

const (
	idle connectivityState = iota
	connecting
	ready
)

// ClientConn is a virtual connection to a target.
type ClientConn struct {
	mu    sync.RWMutex
	conns map[*addrConn]struct{}
	csMgr map[*addrConn]connectivityState
}

type addrConn struct {
	cc           *ClientConn
	mu           sync.Mutex
	state        connectivityState
	backoffIdx   int
	resetBackoff chan struct{}
}

// ResetConnectBackoff wakes up all subchannels in transient failure and
// makes them try to connect again.
func (cc *ClientConn) ResetConnectBackoff() {
	cc.mu.Lock()
	conns := cc.conns
	cc.mu.Unlock()
	for ac := range conns {
		ac.resetConnectBackoff()
	}
}

func (ac *addrConn) resetConnectBackoff() {
	ac.mu.Lock()
	close(ac.resetBackoff)
	ac.backoffIdx = 0
	ac.resetBackoff = make(chan struct{})
	ac.mu.Unlock()
}

func (cc *ClientConn) handleSubConnStateChange(ac *addrConn, s connectivityState) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.conns == nil {
		return
	}
	cc.csMgr[ac] = s
}

// updateConnectivityState is called with ac.mu held.
func (ac *addrConn) updateConnectivityState(s connectivityState) {
	ac.state = s
	ac.cc.handleSubConnStateChange(ac, s)
}

// resetTransport makes one connection attempt.
func (ac *addrConn) resetTransport() {
	for i := 0; ; i++ {
		ac.mu.Lock()
		if ac.state == ready {
			ac.mu.Unlock()
			return
		}
		ac.updateConnectivityState(connecting)
		ac.mu.Unlock()
		if i > 3 {
			return
		}
	}
}
