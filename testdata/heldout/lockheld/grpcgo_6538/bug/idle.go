// Package bug is a held-out kernel (issue 14): an error return that leaves
// the client connection's mutex held.
//
// Upstream: grpc/grpc-go#6538 ("clientconn: release lock when returning from enterIdleMode()")
// Round: 2
//
// Bug: enterIdleMode takes cc.mu and returns ErrClientConnClosing when the
// connection has been closed (cc.conns == nil) without unlocking. The idle
// manager calls it from its timer goroutine; afterwards every operation
// that needs cc.mu (Close, exitIdleMode, GetState) blocks. Found by code
// inspection, per the PR thread.
//
// Fix: the early return unlocks cc.mu.
package bug

import (
	"errors"
	"sync"
)

// ErrClientConnClosing is returned for operations on a closed connection.
var ErrClientConnClosing = errors.New("grpc: the client connection is closing")

type resolverWrapper interface{ close() }
type balancerWrapper interface{ enterIdleMode() }

type addrConn struct{ id int }

func (ac *addrConn) tearDown(err error) {}

// ClientConn is a virtual connection to a target.
type ClientConn struct {
	mu       sync.Mutex
	conns    map[*addrConn]struct{}
	resolver resolverWrapper
	balancer balancerWrapper
	idle     bool
}

var errConnIdling = errors.New("grpc: the client connection is idling")

// enterIdleMode is called by the idleness manager when the channel has had
// no RPCs for the configured timeout.
func (cc *ClientConn) enterIdleMode() error {
	cc.mu.Lock()
	if cc.conns == nil {
		return ErrClientConnClosing // heldout:site
	}
	conns := cc.conns
	cc.conns = make(map[*addrConn]struct{})
	cc.resolver.close()
	cc.balancer.enterIdleMode()
	cc.idle = true
	cc.mu.Unlock()
	for ac := range conns {
		ac.tearDown(errConnIdling)
	}
	return nil
}

// Close tears down the ClientConn and all underlying connections.
func (cc *ClientConn) Close() error {
	cc.mu.Lock() // heldout:site
	if cc.conns == nil {
		cc.mu.Unlock()
		return ErrClientConnClosing
	}
	conns := cc.conns
	cc.conns = nil
	cc.mu.Unlock()
	for ac := range conns {
		ac.tearDown(ErrClientConnClosing)
	}
	return nil
}
