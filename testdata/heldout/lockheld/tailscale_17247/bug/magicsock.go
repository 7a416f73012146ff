// Package bug is a held-out kernel (issue 14): an early return for "no
// change" that leaves magicsock's mutex locked.
//
// Upstream: tailscale/tailscale#17247 ("magicsock: fix deadlock in SetStaticEndpoints")
// Round: 3
//
// Bug: SetStaticEndpoints, called when the tailscaled config file is
// reloaded through the LocalAPI, locks c.mu and returns early when the
// static endpoints did not change, without unlocking. The next call that
// needs c.mu (another reload, ReSTUN, the netmap update) blocks forever.
// Endpoints are reduced to a slice of strings; the comparison is our
// reduction of the upstream equality check.
//
// Fix: the early return unlocks c.mu.
package bug

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
		return // heldout:site
	}
	c.staticEndpoints = slices.Clone(ep)
	c.mu.Unlock()
	// Technically this is racy with another call, but it only asks for
	// an extra STUN round.
	c.ReSTUN("static-endpoint-change")
}

// ReSTUN triggers an endpoint update.
func (c *Conn) ReSTUN(why string) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.wantSTUN = why
	if c.logf != nil {
		c.logf("magicsock: ReSTUN(%q)", why)
	}
}
