// Package bug is a held-out kernel (issue 14): double lock of the server's
// lock down a call chain through a client.
//
// Upstream: nats-io/nats-server#1543 ("Server can deadlock when solicited leafnode connection is closed on update")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: updatedSolicitedLeafnodes holds s.mu while it tells each leafnode
// connection the new cluster name; a connection that detects a cluster name
// conflict closes itself, and closing a connection removes it from the
// server: teardownConn, removeClient, removeLeafNodeConnection, which locks
// s.mu.
//
// Fix: the connections are collected under s.mu and updated (and possibly
// closed) after it is released.
package bug

import "sync"

const (
	CLIENT = iota
	LEAF
)

// Server is a NATS server.
type Server struct {
	mu          sync.Mutex
	leafs       map[uint64]*client
	clusterName string
}

type client struct {
	mu     sync.Mutex
	cid    uint64
	kind   int
	srv    *Server
	remote string
	closed bool
}

// updatedSolicitedLeafnodes tells every leafnode the cluster's new name.
func (s *Server) updatedSolicitedLeafnodes() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.leafs {
		c.updateClusterName(s.clusterName) // heldout:site
	}
}

func (c *client) updateClusterName(name string) {
	c.mu.Lock()
	conflict := c.remote == name
	c.mu.Unlock()
	if conflict {
		c.closeConnection()
	}
}

func (c *client) closeConnection() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.teardownConn()
}

func (c *client) teardownConn() {
	c.srv.removeClient(c)
}

func (s *Server) removeClient(c *client) {
	switch c.kind {
	case LEAF:
		s.removeLeafNodeConnection(c)
	}
}

func (s *Server) removeLeafNodeConnection(c *client) {
	s.mu.Lock() // heldout:site
	delete(s.leafs, c.cid)
	s.mu.Unlock()
}
