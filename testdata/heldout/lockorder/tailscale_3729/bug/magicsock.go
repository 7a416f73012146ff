// Package bug is a held-out kernel (issue 14): a VPN socket (Conn) that
// holds its mutex while it calls into its relay clients, which take the
// client's mutex, and a relay client that, while connecting under its
// own mutex, calls back a Conn closure that takes the Conn's mutex.
//
// Upstream: tailscale/tailscale#3729 ("wgengine/magicsock: fix lock ordering deadlock with derphttp")
// Round: 7
//
// Bug: issue #3726's goroutine dump: runDerpWriter calls
// derphttp.Client.Send, which takes the client's mu and calls connect,
// which calls the region callback that magicsock passed to
// NewRegionClient; that closure does c.mu.Lock() to read c.derpMap.
// Meanwhile magicsock code holding c.mu calls the client's NotePreferred
// (derpWriteChanOfAddr when it makes a client, and setNearestDERP for
// every active client), which takes the client's mu. Brad Fitzpatrick's
// summary: "a lock ordering bug between magicsock.Conn.mu" and the
// derphttp client's mutex. The HTTP dialling, the DERP map's contents and
// the reader goroutine are reduced.
//
// Fix: the DERP map is also kept in an atomic pointer, and the region
// callback reads that instead of taking c.mu; the comment left in the
// callback says Conn.mu must be acquired before derphttp.Client.mu.
package bug

import (
	"context"
	"errors"
	"net"
	"sync"
)

// DERPRegion is one relay region.
type DERPRegion struct {
	RegionID int
	HostName string
}

// DERPMap lists the relay regions.
type DERPMap struct {
	Regions map[int]*DERPRegion
}

// Client is a relay (DERP) client for one region.
type Client struct {
	mu        sync.Mutex
	getRegion func() *DERPRegion
	preferred bool
	netConn   net.Conn
	dial      func(r *DERPRegion) (net.Conn, error)
}

// NewRegionClient returns a client that looks its region up when it
// connects; it does not dial.
func NewRegionClient(getRegion func() *DERPRegion, dial func(*DERPRegion) (net.Conn, error)) *Client {
	return &Client{getRegion: getRegion, dial: dial}
}

// connect dials the region if not connected; c.mu is held.
func (c *Client) connect() (net.Conn, error) {
	if c.netConn != nil {
		return c.netConn, nil
	}
	reg := c.getRegion() // heldout:site
	if reg == nil {
		return nil, errors.New("no region")
	}
	nc, err := c.dial(reg)
	if err != nil {
		return nil, err
	}
	c.netConn = nc
	return nc, nil
}

// Send writes a packet to the relay, connecting first if needed.
func (c *Client) Send(pkt []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	nc, err := c.connect()
	if err != nil {
		return err
	}
	_, err = nc.Write(pkt)
	return err
}

// NotePreferred records whether this is the home region.
func (c *Client) NotePreferred(v bool) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	c.preferred = v
}

type derpWriteRequest struct {
	pkt []byte
}

type activeDerp struct {
	c       *Client
	writeCh chan derpWriteRequest
	cancel  context.CancelFunc
}

// Conn is the magic socket.
type Conn struct {
	mu         sync.Mutex
	connCtx    context.Context
	derpMap    *DERPMap
	myDerp     int
	activeDerp map[int]activeDerp
	dial       func(*DERPRegion) (net.Conn, error)
}

// SetDERPMap installs a new relay map.
func (c *Conn) SetDERPMap(dm *DERPMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.derpMap = dm
}

// derpWriteChanOfAddr returns the write channel for regionID, starting
// a client and its writer the first time.
func (c *Conn) derpWriteChanOfAddr(regionID int) chan<- derpWriteRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ad, ok := c.activeDerp[regionID]; ok {
		return ad.writeCh
	}
	if c.activeDerp == nil {
		c.activeDerp = make(map[int]activeDerp)
	}

	dc := NewRegionClient(func() *DERPRegion {
		if c.connCtx.Err() != nil {
			return nil
		}
		c.mu.Lock() // heldout:site
		defer c.mu.Unlock()
		if c.derpMap == nil {
			return nil
		}
		return c.derpMap.Regions[regionID]
	}, c.dial)

	dc.NotePreferred(c.myDerp == regionID)

	ctx, cancel := context.WithCancel(c.connCtx)
	ch := make(chan derpWriteRequest, 32)
	c.activeDerp[regionID] = activeDerp{c: dc, writeCh: ch, cancel: cancel}
	go c.runDerpWriter(ctx, dc, ch)
	return ch
}

func (c *Conn) runDerpWriter(ctx context.Context, dc *Client, ch <-chan derpWriteRequest) {
	for {
		select {
		case <-ctx.Done():
			return
		case wr := <-ch:
			if err := dc.Send(wr.pkt); err != nil { // heldout:site
				continue
			}
		}
	}
}

// setNearestDERP makes regionID the home relay.
func (c *Conn) setNearestDERP(regionID int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.myDerp = regionID
	for i, ad := range c.activeDerp {
		ad.c.NotePreferred(i == c.myDerp) // heldout:site
	}
}

// closeDerpLocked stops the writer of regionID and forgets its client.
// c.mu must be held.
func (c *Conn) closeDerpLocked(regionID int) {
	if ad, ok := c.activeDerp[regionID]; ok {
		ad.cancel()
		delete(c.activeDerp, regionID)
	}
}

// Close stops every relay writer.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.activeDerp {
		c.closeDerpLocked(i)
	}
	return nil
}
