// Package bug is a held-out kernel (issue 14): go-sip's sipnet Listener,
// whose UDP janitor holds udpPoolMutex while it closes the connections
// that have timed out; Conn.Close of a UDP connection that belongs to a
// listener removes itself from the pool under the same udpPoolMutex. The
// janitor blocks on itself for good at the first timeout, and the
// listener stops accepting UDP messages (every lookup of the pool waits
// on the mutex).
//
// Upstream: 1lann/go-sip#3 ("Possible deadlock")
// Round: 14
//
// Bug: the issue: "At udpJanitor() function. The thread hold
// l.udpPoolMutex.Lock(). then check udpPoll for whether there is a UDP
// connection got timed out. If there is, the thread call conn.Close() ...
// if c.Listener != nil. This function will try to hold l.udpPoolMutex
// too." Listener (udpPool, udpPoolMutex, udpJanitor) and Conn (Listener,
// Transport, Address, lastMessage, Close) follow sipnet/connection_pool.go
// and sipnet/connection.go; the janitor's stop channel and ticker, the
// received-message path and the sockets are our reduction.
//
// Fix: the maintainer's: "marking the connections to be closed, and then
// closing them after the mutex is unlocked".
package bug

import (
	"sync"
	"time"
)

const udpTimeout = 30 * time.Second

// Conn is a SIP connection.
type Conn struct {
	Transport   string
	Address     string
	Listener    *Listener
	lastMessage time.Time

	closeMutex sync.Mutex
	closed     bool
	received   chan []byte
}

// Close closes the connection, removing a UDP one from its listener's
// pool.
func (c *Conn) Close() error {
	c.closeMutex.Lock()
	defer c.closeMutex.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.Transport == "udp" && c.Listener != nil {
		c.Listener.udpPoolMutex.Lock() // heldout:site
		delete(c.Listener.udpPool, c.Address)
		c.Listener.udpPoolMutex.Unlock()
	}
	close(c.received)
	return nil
}

// Listener accepts SIP connections.
type Listener struct {
	udpPool      map[string]*Conn
	udpPoolMutex sync.Mutex
	stop         chan struct{}
}

// NewListener starts a listener and its UDP janitor.
func NewListener() *Listener {
	l := &Listener{
		udpPool: make(map[string]*Conn),
		stop:    make(chan struct{}),
	}
	go l.udpJanitor()
	return l
}

// handleUDP delivers a datagram, creating the connection for a new peer.
func (l *Listener) handleUDP(addr string, msg []byte, now time.Time) *Conn {
	l.udpPoolMutex.Lock()
	defer l.udpPoolMutex.Unlock()
	conn, ok := l.udpPool[addr]
	if !ok {
		conn = &Conn{Transport: "udp", Address: addr, Listener: l, received: make(chan []byte, 16)}
		l.udpPool[addr] = conn
	}
	conn.lastMessage = now
	select {
	case conn.received <- msg:
	default:
	}
	return conn
}

// sweepUDP closes the connections that have been idle too long.
func (l *Listener) sweepUDP(now time.Time) {
	l.udpPoolMutex.Lock()
	for _, conn := range l.udpPool {
		if now.Sub(conn.lastMessage) > udpTimeout {
			conn.Close() // heldout:site
		}
	}
	l.udpPoolMutex.Unlock()
}

func (l *Listener) udpJanitor() {
	ticker := time.NewTicker(10 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-ticker.C:
			l.sweepUDP(now)
		}
	}
}

// Close stops the listener.
func (l *Listener) Close() {
	close(l.stop)
}

// IdlePeer lets a UDP peer go quiet, sweeps, and looks the peer up again.
func IdlePeer() {
	l := NewListener()
	defer l.Close()
	start := time.Now()
	l.handleUDP("10.0.0.7:5060", []byte("REGISTER sip:example.com SIP/2.0"), start)
	l.sweepUDP(start.Add(time.Minute))
	l.handleUDP("10.0.0.7:5060", []byte("OPTIONS sip:example.com SIP/2.0"), start.Add(2*time.Minute))
}
