// Package bug is a held-out kernel (issue 14): a graceful HTTP server
// whose Stop sends on the interrupt channel that Serve creates; a Stop
// that runs before Serve has made the channel sends on a nil channel and
// blocks for ever.
//
// Upstream: tylerstillwater/graceful#43 ("Fix deadlock in Stop function.")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: Serve made srv.interrupt (buffered, one slot) and started the
// goroutine that waits on it to shut the listener down; Stop set the
// timeout and sent SIGINT on srv.interrupt. The PR: "If Stop() is called
// before the interrupt channel is created in Serve(), it will block
// forever." The signal.Notify wiring and the connection tracking are
// reduced.
//
// Fix: Serve and Stop both get the channel from interruptChan, which
// makes it under the stop-chan mutex the first time (as StopChan already
// did for its channel), so whichever runs first creates it. Our fixed
// version also sends without blocking, so that a second Stop finding the
// one slot full does not hang; upstream relied on Stop being called once.
package bug

import (
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"
)

// Server is an http.Server that stops gracefully.
type Server struct {
	*http.Server

	Timeout time.Duration

	interrupt     chan os.Signal
	stopLock      sync.Mutex
	stopChan      chan struct{}
	chanLock      sync.RWMutex
	stopOnce      sync.Once
	interruptOnce sync.Once
}

// StopChan is closed when the server has stopped.
func (srv *Server) StopChan() chan struct{} {
	srv.chanLock.Lock()
	defer srv.chanLock.Unlock()
	if srv.stopChan == nil {
		srv.stopChan = make(chan struct{})
	}
	return srv.stopChan
}

// Serve serves on l until Stop.
func (srv *Server) Serve(l net.Listener) error {
	srv.interrupt = make(chan os.Signal, 1)
	go srv.handleInterrupt(srv.interrupt, l)
	err := srv.Server.Serve(l)
	srv.stopOnce.Do(func() { close(srv.StopChan()) })
	return err
}

func (srv *Server) handleInterrupt(interrupt chan os.Signal, l net.Listener) {
	<-interrupt
	srv.SetKeepAlivesEnabled(false)
	_ = l.Close()
}

// Stop shuts the server down, waiting up to timeout for connections.
func (srv *Server) Stop(timeout time.Duration) {
	srv.stopLock.Lock()
	defer srv.stopLock.Unlock()

	srv.Timeout = timeout
	srv.interrupt <- syscall.SIGINT // heldout:site
}
