// Package bug is a held-out kernel (issue 14): a placeholder packet conn,
// used for the IPv6 socket when IPv6 is unavailable, whose reads park on a
// sync.Cond until the conn is closed, and whose Close sets the closed flag
// without waking the parked readers.
//
// Upstream: tailscale/tailscale#3672 ("wgengine/magicsock: fix watchdog timeout on Close when IPv6 not available")
// Round: 12
//
// Bug: when the IPv6 socket cannot be opened, magicsock puts a
// blockForeverConn behind its RebindingUDPConn; the wireguard receive
// routine for IPv6 then sits in ReadFrom, looping on cond.Wait until closed
// is set. Close set closed under the mutex but never called Broadcast (the
// cond was used on one side only), so the reader never re-checked the flag,
// and the engine's Close, which waits for the receive routines to finish,
// hung until the watchdog fired (issue #3671).
//
// Fix: Close broadcasts on the cond after setting closed. The device and
// engine around the conn (the receive routine, the WaitGroup its Close
// waits on) are our reduction of wireguard-go and wgengine.
package bug

import (
	"errors"
	"net"
	"sync"
	"time"
)

func newBlockForeverConn() *blockForeverConn {
	c := new(blockForeverConn)
	c.cond = sync.NewCond(&c.mu)
	return c
}

// blockForeverConn is a net.PacketConn whose reads block until it is closed.
type blockForeverConn struct {
	mu     sync.Mutex
	cond   *sync.Cond
	closed bool
}

func (c *blockForeverConn) ReadFrom(p []byte) (n int, addr net.Addr, err error) {
	c.mu.Lock()
	for !c.closed {
		c.cond.Wait() // heldout:site
	}
	c.mu.Unlock()
	return 0, nil, net.ErrClosed
}

func (c *blockForeverConn) WriteTo(p []byte, addr net.Addr) (n int, err error) {
	// Writes are dropped.
	return len(p), nil
}

func (c *blockForeverConn) LocalAddr() net.Addr { return new(net.UDPAddr) }

func (c *blockForeverConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	c.closed = true // heldout:site
	return nil
}

func (c *blockForeverConn) SetDeadline(t time.Time) error      { return errors.New("unimplemented") }
func (c *blockForeverConn) SetReadDeadline(t time.Time) error  { return errors.New("unimplemented") }
func (c *blockForeverConn) SetWriteDeadline(t time.Time) error { return errors.New("unimplemented") }

// RebindingUDPConn is a UDP socket that can be re-bound.
type RebindingUDPConn struct {
	mu    sync.Mutex
	pconn net.PacketConn
}

func (c *RebindingUDPConn) currentConn() net.PacketConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pconn
}

// ReadFrom reads from the current socket, retrying if it was re-bound.
func (c *RebindingUDPConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		pconn := c.currentConn()
		n, addr, err := pconn.ReadFrom(b)
		if err != nil && pconn != c.currentConn() {
			continue
		}
		return n, addr, err
	}
}

// Close closes the current socket.
func (c *RebindingUDPConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pconn.Close()
}

// Conn is the magic socket.
type Conn struct {
	pconn6 *RebindingUDPConn
}

// NewConn binds the IPv6 socket, falling back to a conn that never
// receives when IPv6 is not available.
func NewConn(ipv6 bool) *Conn {
	c := &Conn{pconn6: &RebindingUDPConn{}}
	if ipv6 {
		if pc, err := net.ListenPacket("udp6", "[::1]:0"); err == nil {
			c.pconn6.pconn = pc
			return c
		}
	}
	c.pconn6.pconn = newBlockForeverConn()
	return c
}

// ReceiveIPv6 is called by the wireguard device's receive routine.
func (c *Conn) ReceiveIPv6(b []byte) (int, error) {
	n, _, err := c.pconn6.ReadFrom(b)
	return n, err
}

// Close closes the sockets.
func (c *Conn) Close() error { return c.pconn6.Close() }

// Device is the part of the wireguard device that runs the receive
// routines.
type Device struct {
	bind     *Conn
	routines sync.WaitGroup
}

// NewDevice starts the receive routine for IPv6.
func NewDevice(bind *Conn) *Device {
	d := &Device{bind: bind}
	d.routines.Add(1)
	go d.routineReceiveIncoming()
	return d
}

func (d *Device) routineReceiveIncoming() {
	defer d.routines.Done()
	buf := make([]byte, 1500)
	for {
		if _, err := d.bind.ReceiveIPv6(buf); err != nil {
			return
		}
	}
}

// Close closes the bind and waits for the receive routines to return.
func (d *Device) Close() {
	d.bind.Close()
	d.routines.Wait() // heldout:site
}
