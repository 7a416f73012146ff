// Package bug is a held-out kernel (issue 14): a DERP reader that sends on
// the receive channel while holding the connection's mutex, and a receiver
// that takes the same mutex before it reads the channel.
//
// Upstream: tailscale/tailscale#3739 ("wgengine/magicsock: fix deadlock on shutdown")
// Round: 3
//
// Bug: during shutdown one goroutine waits to send on c.derpRecvCh before
// it unlocks c.mu, while the goroutine that drains c.derpRecvCh (the
// wireguard receive func) first waits to lock c.mu to check whether the
// Conn is closed. Neither moves; the test timed out (#3736). The PR text
// gives the two blocked operations; which functions hold c.mu here
// (closeDerpLocked, sending a zero result so the receiver's count of
// pending DERP reads stays balanced, and a receiver that checks c.closed
// under c.mu) is our reduction.
//
// Fix: the send in closeDerpLocked became a select that also gives up
// when the Conn's done channel is closed, and the receiver reads the
// closing flag without c.mu and selects on derpRecvCh and donec.
package bug

import (
	"context"
	"errors"
	"sync"
)

var errConnClosed = errors.New("magicsock: Conn closed")

type derpReadResult struct {
	regionID int
	n        int
	copyBuf  func(dst []byte) int
}

type activeDerp struct {
	cancel  context.CancelFunc
	writeCh chan<- []byte
}

// Conn routes UDP packets and actively manages a list of its endpoints.
type Conn struct {
	donec      chan struct{}
	derpRecvCh chan derpReadResult

	mu         sync.Mutex
	closed     bool
	activeDerp map[int]activeDerp
}

func newConn() *Conn {
	return &Conn{
		donec:      make(chan struct{}),
		derpRecvCh: make(chan derpReadResult),
		activeDerp: make(map[int]activeDerp),
	}
}

// closeDerpLocked tears down the connection to one DERP region.
// c.mu must be held.
func (c *Conn) closeDerpLocked(regionID int, why string) {
	ad, ok := c.activeDerp[regionID]
	if !ok {
		return
	}
	delete(c.activeDerp, regionID)
	ad.cancel()
	// Tell the receiver this region's pending read is gone.
	c.derpRecvCh <- derpReadResult{regionID: regionID} // heldout:site
}

// SetDERPMap drops the regions that are no longer in the map.
func (c *Conn) SetDERPMap(keep map[int]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := range c.activeDerp {
		if !keep[id] {
			c.closeDerpLocked(id, "derp-region-removed")
		}
	}
}

// receiveDERP is wireguard's receive func for packets relayed by DERP.
func (c *Conn) receiveDERP(b []byte) (int, error) {
	for {
		c.mu.Lock() // heldout:site
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return 0, errConnClosed
		}
		dm := <-c.derpRecvCh
		if dm.copyBuf == nil {
			continue // a region went away
		}
		return dm.copyBuf(b), nil
	}
}

// Close closes the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errConnClosed
	}
	c.closed = true
	for id := range c.activeDerp {
		c.closeDerpLocked(id, "conn-close")
	}
	close(c.donec)
	return nil
}
