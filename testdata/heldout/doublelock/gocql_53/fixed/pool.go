// Package fixed is the fixed version of doublelock/gocql_53: the excess
// connections are closed after the pool's lock is released, so the error
// handler can take it.
package fixed

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
		c.errorHandler.HandleError(c, err, true)
	}
}

// Close closes the connection.
func (c *Conn) Close() { c.closeWithError(nil) }

type scyllaConnPicker struct {
	conns       []*Conn
	excessConns []*Conn
	nrShards    int
}

// put adds a connection and returns the excess connections the caller
// must close once it has released the pool's lock.
func (p *scyllaConnPicker) put(c *Conn) []*Conn {
	if p.conns[c.shard] == nil {
		p.conns[c.shard] = c
	} else {
		p.excessConns = append(p.excessConns, c)
	}
	if len(p.excessConns) > p.nrShards {
		conns := p.excessConns
		p.excessConns = nil
		return conns
	}
	return nil
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
	pool.mu.Lock()
	excess := pool.picker.put(c)
	pool.mu.Unlock()
	for _, c := range excess {
		c.Close()
	}
	return nil
}

// HandleError removes a failed connection from the pool.
func (pool *hostConnPool) HandleError(c *Conn, err error, closed bool) {
	if !closed {
		return
	}
	pool.mu.Lock()
	defer pool.mu.Unlock()
	pool.picker.Remove(c)
}
