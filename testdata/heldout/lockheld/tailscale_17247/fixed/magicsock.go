// Package fixed is the fixed version of lockheld/tailscale_17247: the
// "no change" return unlocks c.mu.
package fixed

import (
	"slices"
	"sync"
)

// Conn is magicsock's connection, reduced to its static endpoints.
type Conn struct {
	mu              sync.Mutex
	staticEndpoints []string
	closed          bool
	wantSTUN        string
	logf            func(format string, args ...any)
}

// SetStaticEndpoints sets the endpoints advertised in addition to the
// ones discovered by STUN.
func (c *Conn) SetStaticEndpoints(ep []string) {
	c.mu.Lock()
	if slices.Equal(c.staticEndpoints, ep) {
		c.mu.Unlock()
		return
	}
	c.staticEndpoints = slices.Clone(ep)
	c.mu.Unlock()
	// Technically this is racy with another call, but it only asks for
	// an extra STUN round.
	c.ReSTUN("static-endpoint-change")
}

// ReSTUN triggers an endpoint update.
func (c *Conn) ReSTUN(why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.wantSTUN = why
	if c.logf != nil {
		c.logf("magicsock: ReSTUN(%q)", why)
	}
}
