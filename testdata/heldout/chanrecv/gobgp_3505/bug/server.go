// Package bug is a held-out kernel (issue 14): a BGP server runs every
// management call on its main loop by queueing an operation on a
// one-slot channel and then waiting for the operation's reply; when the
// server is stopped, a call can still land in the queue's free slot after
// the loop has returned, and the caller then waits for ever for a reply
// nobody will send.
//
// Upstream: osrg/gobgp#3505 ("fix(server): prevent watcher leaks during shutdown")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: mgmtOperation does select { case s.mgmtCh <- op: return <-ch;
// case <-s.closeCh: return "server stopped" }. mgmtCh has a buffer of one,
// so once the loop has exited on closeCh both cases are ready and the
// select may take the send; the following plain receive on the reply
// channel then blocks for ever (the PR: queued management operations and
// watcher cleanup were "leaving blocked goroutines"). The peers, watchers
// and gRPC API are reduced to a map and two calls.
//
// Fix: the wait for the reply also selects on closeCh, and the reply
// channel has room for one, so a reply the caller no longer waits for
// does not block the loop either; the exact code is our reading of the
// PR's diff.
package bug

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
	ch := make(chan error)
	op := &mgmtOp{f: f, errCh: ch, checkActive: checkActive}
	select {
	case s.mgmtCh <- op: // heldout:site
		return <-ch // heldout:site
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
