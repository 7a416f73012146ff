// Package fixed is the fixed version of lockheld/grpcgo_6538: the early
// return releases cc.mu.
package fixed

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
		cc.mu.Unlock()
		return ErrClientConnClosing
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
	cc.mu.Lock()
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
