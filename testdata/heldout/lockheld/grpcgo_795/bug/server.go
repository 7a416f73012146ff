// Package bug is a held-out kernel (issue 14): a gRPC server whose
// GracefulStop returns early, without unlocking the server mutex, when it
// has already been called, so a second GracefulStop (or any later Stop or
// accept) blocks for ever.
//
// Upstream: grpc/grpc-go#795 ("Fix deadlock when GracefulStop()ing multiple times")
// Round: 6
//
// Bug: GracefulStop locks s.mu and returns at once when the server is
// already draining or stopped (s.conns == nil), leaving s.mu locked; the
// normal path unlocks by hand at the end. The first GracefulStop succeeds;
// calling it again wedges the caller on the next s.mu.Lock anywhere. The
// issue points at the early return (fixes #793); the transports are
// reduced to an interface and the rest of Server is our reduction.
//
// Fix: the early return unlocks s.mu (the review suggested defer, which
// later code adopted).
package bug

import (
	"net"
	"sync"
)

// ServerTransport is one client connection.
type ServerTransport interface {
	Drain()
	Close() error
}

// Server is a gRPC server.
type Server struct {
	mu    sync.Mutex
	lis   map[net.Listener]bool
	conns map[ServerTransport]bool
	drain bool
	cv    *sync.Cond
}

// NewServer returns a server with no listeners.
func NewServer() *Server {
	s := &Server{lis: make(map[net.Listener]bool), conns: make(map[ServerTransport]bool)}
	s.cv = sync.NewCond(&s.mu)
	return s
}

func (s *Server) removeConn(c ServerTransport) {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	if s.conns != nil {
		delete(s.conns, c)
		s.cv.Broadcast()
	}
}

// Stop closes every listener and connection at once.
func (s *Server) Stop() {
	s.mu.Lock() // heldout:site
	listeners := s.lis
	s.lis = nil
	cs := s.conns
	s.conns = nil
	s.cv.Broadcast()
	s.mu.Unlock()
	for lis := range listeners {
		lis.Close()
	}
	for c := range cs {
		c.Close()
	}
}

// GracefulStop stops accepting and waits for the connections to drain.
func (s *Server) GracefulStop() {
	s.mu.Lock() // heldout:site
	if s.drain || s.conns == nil {
		return // heldout:site
	}
	s.drain = true
	for lis := range s.lis {
		lis.Close()
	}
	s.lis = nil
	for c := range s.conns {
		c.Drain()
	}
	for len(s.conns) != 0 {
		s.cv.Wait()
	}
	s.conns = nil
	s.mu.Unlock()
}
