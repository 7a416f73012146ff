// Package fixed is the fixed version of doublelock/aw_17: the helper no
// longer locks the mutex its callers hold.
package fixed

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

// closeConnImmediately closes the connection to addr; pool.mu must be held.
func (pool *connPool) closeConnImmediately(addr string) error {
	c, ok := pool.conns[addr]
	if !ok {
		return nil
	}
	delete(pool.conns, addr)
	return c.Close()
}

// CloseConn closes the connection to addr.
func (pool *connPool) CloseConn(addr string) error {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	return pool.closeConnImmediately(addr)
}

// closeExpired closes the connections idle for longer than the timeout.
func (pool *connPool) closeExpired(now time.Time) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for addr, c := range pool.conns {
		if now.Sub(c.lastUsed) > pool.timeout {
			_ = pool.closeConnImmediately(addr)
		}
	}
}
