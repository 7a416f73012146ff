// Package bug is a held-out kernel (issue 14): lock-order inversion between
// a client connection's mutex and each address connection's mutex.
//
// Upstream: grpc/grpc-go#3047 ("deadlock: acquire multiple locks in the same order in clientconn"), fixed by grpc/grpc-go#3051 ("clientconn: fix potential deadlock caused by ResetConnectBackoff")
// Round: 2
//
// Bug: ResetConnectBackoff holds cc.mu and calls resetConnectBackoff on
// every addrConn, which takes ac.mu. resetTransport holds ac.mu and
// reports the Connecting state through updateConnectivityState, which
// reaches the ClientConn's handleSubConnStateChange and takes cc.mu. The
// reporter saw ResetConnectBackoff block with FailFast(false) RPCs in flight.
//
// Fix: ResetConnectBackoff reads cc.conns under cc.mu and resets the
// backoffs after releasing it ("conns := cc.conns": the map is not copied;
// grpc-go#9155 later proposed a snapshot slice).
package bug

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
	defer cc.mu.Unlock()
	for ac := range cc.conns {
		ac.resetConnectBackoff() // heldout:site
	}
}

func (ac *addrConn) resetConnectBackoff() {
	ac.mu.Lock() // heldout:site
	close(ac.resetBackoff)
	ac.backoffIdx = 0
	ac.resetBackoff = make(chan struct{})
	ac.mu.Unlock()
}

func (cc *ClientConn) handleSubConnStateChange(ac *addrConn, s connectivityState) {
	cc.mu.Lock() // heldout:site
	defer cc.mu.Unlock()
	if cc.conns == nil {
		return
	}
	cc.csMgr[ac] = s
}

// updateConnectivityState is called with ac.mu held.
func (ac *addrConn) updateConnectivityState(s connectivityState) {
	ac.state = s
	ac.cc.handleSubConnStateChange(ac, s) // heldout:site
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
