// Package bug is a held-out kernel (issue 14): the Scylla gocql driver's
// ringDescriber refreshes the host list under its write lock, reading
// system.peers over the control connection. When that query fails, the
// connection's error handler is controlConn.HandleError, which reconnects
// in the same goroutine; the reconnect asks the ringDescriber for its
// host list, and getHostsList takes r.mu.RLock while the same goroutine
// still holds r.mu.Lock in GetHostsFromSystem. The session hangs.
//
// Upstream: scylladb/gocql#529 ("Run control connection reconnect in background", fixes scylladb/gocql#521)
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: ringDescriber (mu, the cached hosts), GetHostsFromSystem,
// getHostsList, controlConn's HandleError, reconnect and attemptReconnect,
// and the connection's error handler follow the call chain the PR
// describes; queries, frames and host infos are reduced to a query func
// and strings.
//
// Fix: HandleError starts the reconnect in its own goroutine, so the
// lookup of the host list waits for the refresh to release the lock
// instead of needing it inside the refresh.
package bug

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ConnErrorHandler is told about a connection's errors.
type ConnErrorHandler interface {
	HandleError(conn *Conn, err error, closed bool)
}

// Conn is a connection that reports its query errors to its handler.
type Conn struct {
	errorHandler ConnErrorHandler
	query        func(stmt string) ([]string, error)
}

func (c *Conn) querySystem(stmt string) ([]string, error) {
	rows, err := c.query(stmt)
	if err != nil {
		c.errorHandler.HandleError(c, err, false)
		return nil, err
	}
	return rows, nil
}

type ringDescriber struct {
	control *controlConn

	mu        sync.RWMutex
	prevHosts []string
}

// GetHostsFromSystem refreshes the host list from system.local and
// system.peers.
func (r *ringDescriber) GetHostsFromSystem() ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()

	conn := r.control.getConn()
	if conn == nil {
		return r.prevHosts, errors.New("no control connection")
	}
	local, err := conn.querySystem("SELECT * FROM system.local")
	if err != nil {
		return r.prevHosts, err
	}
	peers, err := conn.querySystem("SELECT * FROM system.peers") // heldout:site
	if err != nil {
		return r.prevHosts, err
	}
	r.prevHosts = append(local, peers...)
	return r.prevHosts, nil
}

func (r *ringDescriber) getHostsList() []string {
	r.mu.RLock() // heldout:site
	defer r.mu.RUnlock()
	return append([]string(nil), r.prevHosts...)
}

type controlConn struct {
	ring         *ringDescriber
	conn         atomic.Pointer[Conn]
	reconnecting int32
	newConn      func(h ConnErrorHandler, host string) (*Conn, error)
}

func (c *controlConn) getConn() *Conn { return c.conn.Load() }

// HandleError reconnects when the control connection fails.
func (c *controlConn) HandleError(conn *Conn, err error, closed bool) {
	if c.getConn() != conn {
		return
	}
	c.reconnect() // heldout:site
}

func (c *controlConn) reconnect() {
	if !atomic.CompareAndSwapInt32(&c.reconnecting, 0, 1) {
		return
	}
	defer atomic.StoreInt32(&c.reconnecting, 0)
	if conn, err := c.attemptReconnect(); err == nil {
		c.conn.Store(conn)
	}
}

func (c *controlConn) attemptReconnect() (*Conn, error) {
	hosts := c.ring.getHostsList() // heldout:site
	for _, host := range hosts {
		if conn, err := c.newConn(c, host); err == nil {
			return conn, nil
		}
	}
	return nil, errors.New("unable to reconnect the control connection")
}

// Refresh refreshes the ring over a control connection whose peers query
// fails once.
func Refresh() ([]string, error) {
	failed := false
	query := func(stmt string) ([]string, error) {
		if stmt == "SELECT * FROM system.peers" && !failed {
			failed = true
			return nil, errors.New("read: connection reset by peer")
		}
		return []string{"10.0.0.1"}, nil
	}
	c := &controlConn{}
	c.ring = &ringDescriber{control: c, prevHosts: []string{"10.0.0.1", "10.0.0.2"}}
	c.newConn = func(h ConnErrorHandler, host string) (*Conn, error) {
		return &Conn{errorHandler: h, query: query}, nil
	}
	conn, _ := c.newConn(c, "10.0.0.1")
	c.conn.Store(conn)
	return c.ring.GetHostsFromSystem()
}
