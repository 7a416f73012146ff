// Package fixed is the fixed version of mixed/tailscale_18842: Close
// releases the server's mutex before it shuts the stack down.
package fixed

import (
	"context"
	"net"
	"sync"
)

// Flow is one incoming TCP flow seen by the stack.
type Flow struct {
	Src, Dst string
}

// Netstack is the userspace network stack.
type Netstack struct {
	wg                   sync.WaitGroup
	closing              chan struct{}
	GetTCPHandlerForFlow func(f Flow) (handler func(net.Conn), intercept bool)
	pendingFlows         chan Flow
}

// NewNetstack returns a stack with no handler installed.
func NewNetstack() *Netstack {
	return &Netstack{closing: make(chan struct{}), pendingFlows: make(chan Flow, 16)}
}

// Start runs the stack's flow dispatchers.
func (ns *Netstack) Start(workers int) {
	for i := 0; i < workers; i++ {
		ns.wg.Add(1)
		go func() {
			defer ns.wg.Done()
			for {
				select {
				case <-ns.closing:
					return
				case f := <-ns.pendingFlows:
					if h, ok := ns.GetTCPHandlerForFlow(f); ok && h != nil {
						go h(nil)
					}
				}
			}
		}()
	}
}

// Close stops the stack and waits for its goroutines.
func (ns *Netstack) Close() error {
	close(ns.closing)
	ns.wg.Wait()
	return nil
}

type listener struct {
	addr   string
	conns  chan net.Conn
	closed bool
}

// Server is an embedded tailnet node.
type Server struct {
	mu             sync.Mutex
	listeners      map[string]*listener
	closeOnce      sync.Once
	netstack       *Netstack
	shutdownCtx    context.Context
	shutdownCancel context.CancelFunc
}

// NewServer wires the stack's flow callback to the server's listeners.
func NewServer() *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{listeners: map[string]*listener{}, netstack: NewNetstack(), shutdownCtx: ctx, shutdownCancel: cancel}
	s.netstack.GetTCPHandlerForFlow = s.getTCPHandlerForFlow
	s.netstack.Start(4)
	return s
}

func (s *Server) listenerForDstAddr(dst string) (*listener, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ln, ok := s.listeners[dst]
	return ln, ok && !ln.closed
}

func (s *Server) getTCPHandlerForFlow(f Flow) (func(net.Conn), bool) {
	ln, ok := s.listenerForDstAddr(f.Dst)
	if !ok {
		return nil, false
	}
	return func(c net.Conn) {
		select {
		case ln.conns <- c:
		case <-s.shutdownCtx.Done():
		}
	}, true
}

// Listen registers a listener for addr.
func (s *Server) Listen(addr string) *listener {
	s.mu.Lock()
	defer s.mu.Unlock()
	ln := &listener{addr: addr, conns: make(chan net.Conn)}
	s.listeners[addr] = ln
	return ln
}

// Close shuts the server down.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		for _, ln := range s.listeners {
			ln.closed = true
		}
		s.mu.Unlock()

		s.shutdownCancel()
		s.netstack.Close()
	})
	return nil
}
