// Package bug is a held-out kernel (issue 14): a WireGuard socket whose
// Close waits on a sync.Cond until its background goroutines are gone,
// while the goroutine that connects to the first DERP server marks itself
// finished by closing a channel and never wakes the Cond, so Close sleeps
// in Wait for ever.
//
// Upstream: tailscale/tailscale#712 ("magicsock: sync.Cond deadlock on Close")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Conn.Close takes c.mu, marks the conn closed, cancels the conn's
// context and loops "for c.goroutinesRunningLocked() { c.muCond.Wait() }".
// goroutinesRunningLocked reports an endpoint update still running, or,
// once a DERP connection was started (activeDerp non-nil), a derpStarted
// channel not yet closed. The endpoint updater clears its flag and
// Broadcasts under c.mu; the goroutine derpWriteChanOfAddr starts for the
// first DERP region runs dc.Connect(ctx) and then closes c.derpStarted,
// without a Broadcast. When Close cancels the context while Connect is
// still dialing, Close is already in Wait when derpStarted is closed, and
// nothing signals muCond again. The dump shows Close in
// sync.Cond.Wait with nothing waiting for the lock. The DERP client is
// reduced to a Connect that returns when its context ends; the reading of
// the fix below is ours.
//
// Fix: the DERP goroutine broadcasts muCond after closing derpStarted (the
// kernel does both under c.mu, so the broadcast cannot fall between
// Close's check and its Wait).
package bug

import (
	"context"
	"sync"
)

// derpClient is a connection to one DERP region (reduced).
type derpClient struct {
	regionID int
	dial     chan struct{} // closed when the (simulated) dial completes
}

// Connect dials the server; it returns when the dial completes or ctx ends.
func (dc *derpClient) Connect(ctx context.Context) error {
	select {
	case <-dc.dial:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (dc *derpClient) Close() error { return nil }

type activeDerp struct {
	c       *derpClient
	writeCh chan []byte
	cancel  context.CancelFunc
}

// Conn is the reduced magicsock.Conn.
type Conn struct {
	connCtx       context.Context
	connCtxCancel context.CancelFunc

	mu     sync.Mutex
	muCond *sync.Cond

	closed                bool
	endpointsUpdateActive bool
	activeDerp            map[int]activeDerp
	derpStarted           chan struct{}
}

// NewConn returns an open conn.
func NewConn() *Conn {
	c := &Conn{derpStarted: make(chan struct{})}
	c.muCond = sync.NewCond(&c.mu)
	c.connCtx, c.connCtxCancel = context.WithCancel(context.Background())
	return c
}

// ReSTUN starts an endpoint update unless one is running.
func (c *Conn) ReSTUN() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.endpointsUpdateActive {
		return
	}
	c.endpointsUpdateActive = true
	go c.updateEndpoints()
}

func (c *Conn) updateEndpoints() {
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.endpointsUpdateActive = false
		c.muCond.Broadcast()
	}()
	// STUN and port mapping, reduced.
}

// derpWriteChanOfAddr returns the write channel of a DERP region,
// connecting to it first if needed.
func (c *Conn) derpWriteChanOfAddr(regionID int) chan<- []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	if ad, ok := c.activeDerp[regionID]; ok {
		return ad.writeCh
	}

	firstDerp := false
	if c.activeDerp == nil {
		firstDerp = true
		c.activeDerp = make(map[int]activeDerp)
	}
	dc := &derpClient{regionID: regionID, dial: make(chan struct{})}
	ctx, cancel := context.WithCancel(c.connCtx)
	ad := activeDerp{c: dc, writeCh: make(chan []byte, 32), cancel: cancel}
	c.activeDerp[regionID] = ad

	if firstDerp {
		go func() {
			dc.Connect(ctx)
			close(c.derpStarted) // heldout:site
		}()
	}
	return ad.writeCh
}

func (c *Conn) closeAllDerpLocked() {
	for id, ad := range c.activeDerp {
		ad.cancel()
		ad.c.Close()
		delete(c.activeDerp, id)
	}
}

func (c *Conn) goroutinesRunningLocked() bool {
	if c.endpointsUpdateActive {
		return true
	}
	if c.activeDerp != nil {
		select {
		case <-c.derpStarted:
		default:
			return true
		}
	}
	return false
}

// Close closes the conn and waits for its goroutines.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.connCtxCancel()
	c.closeAllDerpLocked()

	for c.goroutinesRunningLocked() {
		c.muCond.Wait() // heldout:site
	}
	return nil
}

// sendThenClose is the engine sending a packet through DERP and then
// closing the conn while the first DERP dial is still in flight.
func sendThenClose() {
	c := NewConn()
	c.ReSTUN()
	if ch := c.derpWriteChanOfAddr(1); ch != nil {
		select {
		case ch <- []byte("handshake"):
		default:
		}
	}
	c.Close()
}
