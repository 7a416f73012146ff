// Package fixed is the fixed version of lockorder/tailscale_3729: the
// relay client's region callback reads the DERP map from an atomic
// pointer and never takes Conn.mu.
package fixed

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
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
	reg := c.getRegion()
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
	c.mu.Lock()
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
	mu      sync.Mutex
	connCtx context.Context
	derpMap *DERPMap
	// derpMapAtomic is derpMap, readable without mu.
	derpMapAtomic atomic.Pointer[DERPMap]
	myDerp        int
	activeDerp    map[int]activeDerp
	dial          func(*DERPRegion) (net.Conn, error)
}

// SetDERPMap installs a new relay map.
func (c *Conn) SetDERPMap(dm *DERPMap) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.derpMap = dm
	c.derpMapAtomic.Store(dm)
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
		// Warning: it is not legal to acquire Conn.mu from this
		// callback: it runs from Client.connect with Client.mu held, and
		// Conn.mu must be acquired before Client.mu.
		if c.connCtx.Err() != nil {
			return nil
		}
		derpMap := c.derpMapAtomic.Load()
		if derpMap == nil {
			return nil
		}
		return derpMap.Regions[regionID]
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
			if err := dc.Send(wr.pkt); err != nil {
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
		ad.c.NotePreferred(i == c.myDerp)
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
