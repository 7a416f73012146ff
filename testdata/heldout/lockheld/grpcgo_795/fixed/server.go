// Package fixed is the fixed version of lockheld/grpcgo_795: GracefulStop's
// early return unlocks the server mutex.
package fixed

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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns != nil {
		delete(s.conns, c)
		s.cv.Broadcast()
	}
}

// Stop closes every listener and connection at once.
func (s *Server) Stop() {
	s.mu.Lock()
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
	s.mu.Lock()
	if s.drain || s.conns == nil {
		s.mu.Unlock()
		return
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
