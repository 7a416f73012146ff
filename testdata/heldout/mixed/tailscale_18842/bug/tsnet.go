// Package bug is a held-out kernel (issue 14): an embedded network
// server whose Close holds the server's mutex while it waits for the
// userspace network stack's goroutines to exit, and those goroutines, in
// a flow callback, look up a listener under the same mutex.
//
// Upstream: tailscale/tailscale#18842 ("tsnet: fix deadlock in Server.Close during shutdown")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: Server.Close took s.mu for the whole shutdown: it marked the
// server closed, closed the listeners, then called netstack.Close, which
// waits for the stack's goroutines. The PR: "gVisor callbacks like
// getTCPHandlerForFlow acquire s.mu via listenerForDstAddr, so any
// in-flight gVisor goroutine attempting that callback during stack
// shutdown would deadlock with Close." The stack is reduced to a
// WaitGroup of flow goroutines that each call the registered
// GetTCPHandlerForFlow callback; the local backend's shutdown is left
// out.
//
// Fix: a sync.Once replaces the mu-guarded closed flag, s.mu is released
// after the listeners are closed and before the stack is shut down, and
// shutdownCtx is cancelled first so pending handlers see cancellation.
package bug

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
	ns.wg.Wait() // heldout:site
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
	closed         bool
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
	s.mu.Lock() // heldout:site
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
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	for _, ln := range s.listeners {
		ln.closed = true
	}
	s.netstack.Close() // heldout:site
	s.shutdownCancel()
	return nil
}
