// Package bug is a held-out kernel (issue 14): a connection pool whose
// helper for closing a connection locks the pool's mutex, while it is only
// ever called by methods that already hold it, so closing a connection
// deadlocks the pool.
//
// Upstream: renproject/aw#17 ("Fix deadlock when closing connections")
// Round: 5
//
// Bug: closeConnImmediately takes connPool.mu to remove the connection
// from the map. Its callers (CloseConn, and the expiry sweep) lock mu
// before calling it, and sync.Mutex is not re-entrant, so the first close
// blocks forever with the pool locked. The PR says the helper "is only
// called after the lock has been obtained"; the callers' bodies are our
// reduction.
//
// Fix: the redundant Lock in closeConnImmediately is removed.
package bug

import (
	"net"
	"sync"
	"time"
)

type conn struct {
	net.Conn
	lastUsed time.Time
}

type connPool struct {
	mu      sync.Mutex
	conns   map[string]*conn
	timeout time.Duration
}

func newConnPool(timeout time.Duration) *connPool {
	return &connPool{conns: make(map[string]*conn), timeout: timeout}
}

func (pool *connPool) closeConnImmediately(addr string) error {
	pool.mu.Lock() // heldout:site
	defer pool.mu.Unlock()
	c, ok := pool.conns[addr]
	if !ok {
		return nil
	}
	delete(pool.conns, addr)
	return c.Close()
}

// CloseConn closes the connection to addr.
func (pool *connPool) CloseConn(addr string) error {
	pool.mu.Lock() // heldout:site
	defer pool.mu.Unlock()
	return pool.closeConnImmediately(addr)
}

// closeExpired closes the connections idle for longer than the timeout.
func (pool *connPool) closeExpired(now time.Time) {
	pool.mu.Lock() // heldout:site
	defer pool.mu.Unlock()
	for addr, c := range pool.conns {
		if now.Sub(c.lastUsed) > pool.timeout {
			_ = pool.closeConnImmediately(addr)
		}
	}
}
