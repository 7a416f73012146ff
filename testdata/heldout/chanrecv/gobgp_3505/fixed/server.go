// Package fixed is the fixed version of chanrecv/gobgp_3505: the caller
// waits for the reply in a select that also watches closeCh, and the reply
// channel has room for one.
package fixed

import (
	"errors"
	"sync"
)

// ErrStopped is returned for calls made after the server stopped.
var ErrStopped = errors.New("server stopped")

type mgmtOp struct {
	f           func() error
	errCh       chan error
	checkActive bool
}

// BgpServer is the BGP daemon.
type BgpServer struct {
	mgmtCh  chan *mgmtOp
	closeCh chan struct{}
	stop    sync.Once

	as        uint32
	neighbors map[string]string
}

// NewBgpServer returns a server; Serve runs its loop.
func NewBgpServer() *BgpServer {
	return &BgpServer{
		mgmtCh:    make(chan *mgmtOp, 1),
		closeCh:   make(chan struct{}),
		neighbors: make(map[string]string),
	}
}

// Serve runs the main loop until the server is stopped.
func (s *BgpServer) Serve() {
	for {
		select {
		case <-s.closeCh:
			return
		case op := <-s.mgmtCh:
			s.handleMGMTOp(op)
		}
	}
}

func (s *BgpServer) active() error {
	if s.as == 0 {
		return errors.New("bgp server hasn't started yet")
	}
	return nil
}

func (s *BgpServer) handleMGMTOp(op *mgmtOp) {
	if op.checkActive {
		if err := s.active(); err != nil {
			op.errCh <- err
			return
		}
	}
	op.errCh <- op.f()
}

func (s *BgpServer) mgmtOperation(f func() error, checkActive bool) error {
	ch := make(chan error, 1)
	op := &mgmtOp{f: f, errCh: ch, checkActive: checkActive}
	select {
	case s.mgmtCh <- op:
	case <-s.closeCh:
		return ErrStopped
	}
	select {
	case err := <-ch:
		return err
	case <-s.closeCh:
		return ErrStopped
	}
}

// StartBgp sets the local AS.
func (s *BgpServer) StartBgp(as uint32) error {
	return s.mgmtOperation(func() error {
		s.as = as
		return nil
	}, false)
}

// AddPeer adds a neighbor.
func (s *BgpServer) AddPeer(addr, desc string) error {
	return s.mgmtOperation(func() error {
		s.neighbors[addr] = desc
		return nil
	}, true)
}

// StopBgp removes every neighbor and stops the main loop.
func (s *BgpServer) StopBgp() error {
	err := s.mgmtOperation(func() error {
		for addr := range s.neighbors {
			delete(s.neighbors, addr)
		}
		s.as = 0
		return nil
	}, false)
	s.stop.Do(func() { close(s.closeCh) })
	return err
}
