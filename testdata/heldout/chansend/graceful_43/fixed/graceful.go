// Package fixed is the fixed version of chansend/graceful_43: the interrupt
// channel is made by whichever of Serve and Stop runs first.
package fixed

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

func (srv *Server) interruptChan() chan os.Signal {
	srv.chanLock.Lock()
	defer srv.chanLock.Unlock()
	if srv.interrupt == nil {
		srv.interrupt = make(chan os.Signal, 1)
	}
	return srv.interrupt
}

// Serve serves on l until Stop.
func (srv *Server) Serve(l net.Listener) error {
	go srv.handleInterrupt(srv.interruptChan(), l)
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
	interrupt := srv.interruptChan()
	select {
	case interrupt <- syscall.SIGINT:
	default:
	}
}
