// Package fixed is the fixed version of doublelock/natsserver_1543: the
// leafnodes are updated with s.mu released.
package fixed

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

// updatedSolicitedLeafnodes tells every leafnode the cluster's new name,
// outside the server lock since a conflict closes the connection.
func (s *Server) updatedSolicitedLeafnodes() {
	s.mu.Lock()
	name := s.clusterName
	leafs := make([]*client, 0, len(s.leafs))
	for _, c := range s.leafs {
		leafs = append(leafs, c)
	}
	s.mu.Unlock()
	for _, c := range leafs {
		c.updateClusterName(name)
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
	s.mu.Lock()
	delete(s.leafs, c.cid)
	s.mu.Unlock()
}
