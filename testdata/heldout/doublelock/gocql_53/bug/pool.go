// Package bug is a held-out kernel (issue 14): a host connection pool
// that, with its write lock held, hands a new connection to the shard
// picker; the picker closes excess connections, and a close that fails
// reports the error back to the pool, which write-locks itself again.
//
// Upstream: scylladb/gocql#53 ("A deadlock may occur if closing excess connections encounter an error")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: connectToShard holds hostConnPool.mu while it calls
// scyllaConnPicker.Put. When Put finds it has more connections than
// shards it calls closeExcessConns, which closes them with Conn.Close;
// closeWithError hands a close error to the connection's error handler,
// which is the pool, and hostConnPool.HandleError takes mu.Lock again.
// The issue gives this stack; the fix shown here is our reading of the
// fix, not the upstream diff.
//
// Fix: the picker hands the excess connections back, and connectToShard
// closes them after releasing mu.
package bug

import (
	"io"
	"sync"
)

// ConnErrorHandler is told when a connection fails.
type ConnErrorHandler interface {
	HandleError(c *Conn, err error, closed bool)
}

// Conn is a connection to one shard of a host.
type Conn struct {
	shard        int
	sock         io.Closer
	errorHandler ConnErrorHandler
	mu           sync.Mutex
	closed       bool
}

func (c *Conn) closeWithError(err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	if cerr := c.sock.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		c.errorHandler.HandleError(c, err, true) // heldout:site
	}
}

// Close closes the connection.
func (c *Conn) Close() { c.closeWithError(nil) }

type scyllaConnPicker struct {
	conns       []*Conn
	excessConns []*Conn
	nrShards    int
}

// Put adds a connection, closing any beyond one per shard.
func (p *scyllaConnPicker) Put(c *Conn) {
	if p.conns[c.shard] == nil {
		p.conns[c.shard] = c
	} else {
		p.excessConns = append(p.excessConns, c)
	}
	if len(p.excessConns) > p.nrShards {
		p.closeExcessConns()
	}
}

func (p *scyllaConnPicker) closeExcessConns() {
	conns := p.excessConns
	p.excessConns = nil
	for _, c := range conns {
		c.Close()
	}
}

// Remove forgets a connection.
func (p *scyllaConnPicker) Remove(c *Conn) {
	if p.conns[c.shard] == c {
		p.conns[c.shard] = nil
	}
}

// Dialer opens a connection to a shard.
type Dialer interface {
	Dial(shard int) (io.Closer, error)
}

type hostConnPool struct {
	mu     sync.RWMutex
	picker *scyllaConnPicker
	dialer Dialer
}

func newHostConnPool(dialer Dialer, nrShards int) *hostConnPool {
	return &hostConnPool{
		picker: &scyllaConnPicker{conns: make([]*Conn, nrShards), nrShards: nrShards},
		dialer: dialer,
	}
}

func (pool *hostConnPool) connectToShard(shard int) error {
	sock, err := pool.dialer.Dial(shard)
	if err != nil {
		return err
	}
	c := &Conn{shard: shard, sock: sock, errorHandler: pool}
	pool.mu.Lock() // heldout:site
	defer pool.mu.Unlock()
	pool.picker.Put(c)
	return nil
}

// HandleError removes a failed connection from the pool.
func (pool *hostConnPool) HandleError(c *Conn, err error, closed bool) {
	if !closed {
		return
	}
	pool.mu.Lock() // heldout:site
	defer pool.mu.Unlock()
	pool.picker.Remove(c)
}
