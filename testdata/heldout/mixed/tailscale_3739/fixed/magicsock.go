// Package fixed is the fixed version of mixed/tailscale_3739: the send to
// the receiver also gives up when the Conn is done, and the receiver no
// longer takes c.mu before reading the channel.
package fixed

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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
	closing    atomic.Bool

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
	// Tell the receiver this region's pending read is gone, unless the
	// whole Conn is shutting down (the receiver also watches donec).
	select {
	case <-c.donec:
	case c.derpRecvCh <- derpReadResult{regionID: regionID}:
	}
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
		if c.closing.Load() {
			return 0, errConnClosed
		}
		select {
		case <-c.donec:
			return 0, errConnClosed
		case dm := <-c.derpRecvCh:
			if dm.copyBuf == nil {
				continue // a region went away
			}
			return dm.copyBuf(b), nil
		}
	}
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c.closing.Swap(true) {
		return errConnClosed
	}
	close(c.donec)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id := range c.activeDerp {
		c.closeDerpLocked(id, "conn-close")
	}
	return nil
}
