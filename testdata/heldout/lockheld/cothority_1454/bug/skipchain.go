// Package bug is a held-out kernel (issue 14): the skipchain service's
// TestClose locks closedMutex and, when the service is already closed,
// returns with the mutex still held; every later request (which checks
// closed under closedMutex before it registers as working) and every later
// TestClose or TestRestart waits for the mutex forever.
//
// Upstream: dedis/cothority#1454 ("Unlock close mutex")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR: "Fix a missing unlock which may cause deadlock when calling
// TestClose more than once." TestClose locked s.closedMutex and only
// unlocked it inside `if !s.closed`, after closing the service; a second
// call found closed set and fell off the end of the function holding the
// lock. Requests such as StoreSkipBlock take closedMutex to refuse work
// once closed and to join the working WaitGroup that TestClose waits on.
// Which requests and how TestRestart re-opens the service is our
// reduction; blocks, rosters and the database are reduced to a map.
//
// Fix: an else branch unlocks closedMutex when the service is already
// closed.
package bug

import (
	"errors"
	"sync"
)

// SkipBlock is one block of a chain.
type SkipBlock struct {
	Hash     string
	SkipChID string
	Index    int
	Data     []byte
}

// FollowChainType is a chain this node follows.
type FollowChainType struct {
	SkipChID string
	stop     chan struct{}
}

// Shutdown stops following the chain.
func (f *FollowChainType) Shutdown() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
}

// Storage is what the service keeps.
type Storage struct {
	Follow []*FollowChainType
}

// Service is the skipchain service of one node.
type Service struct {
	Storage *Storage

	dbMu sync.Mutex
	db   map[string]*SkipBlock

	closedMutex sync.Mutex
	closed      bool
	closing     chan struct{}
	working     sync.WaitGroup
}

// NewService returns an open service.
func NewService() *Service {
	return &Service{Storage: &Storage{}, db: map[string]*SkipBlock{}, closing: make(chan struct{})}
}

// ErrClosed is returned once the service is closed.
var ErrClosed = errors.New("service is closed")

// startWork registers a request as working unless the service is closed.
func (s *Service) startWork() error {
	s.closedMutex.Lock() // heldout:site
	defer s.closedMutex.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.working.Add(1)
	return nil
}

// StoreSkipBlock appends a block to its chain.
func (s *Service) StoreSkipBlock(sb *SkipBlock) (*SkipBlock, error) {
	if err := s.startWork(); err != nil {
		return nil, err
	}
	defer s.working.Done()
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	if _, ok := s.db[sb.Hash]; ok {
		return nil, errors.New("block already stored")
	}
	s.db[sb.Hash] = sb
	return sb, nil
}

// GetSingleBlock returns a stored block.
func (s *Service) GetSingleBlock(hash string) (*SkipBlock, error) {
	if err := s.startWork(); err != nil {
		return nil, err
	}
	defer s.working.Done()
	s.dbMu.Lock()
	defer s.dbMu.Unlock()
	sb, ok := s.db[hash]
	if !ok {
		return nil, errors.New("no such block")
	}
	return sb, nil
}

// TestClose is called by Server.Close in tests: it stops the service from
// taking requests and waits for the ones in progress.
func (s *Service) TestClose() {
	s.closedMutex.Lock() // heldout:site
	if !s.closed {       // heldout:site
		s.closed = true
		for _, fct := range s.Storage.Follow {
			fct.Shutdown()
		}
		close(s.closing)
		s.closedMutex.Unlock()
		s.working.Wait()
	}
}

// TestRestart closes the service and opens it again on the same data.
func (s *Service) TestRestart() error {
	s.TestClose()
	s.closedMutex.Lock() // heldout:site
	s.closed = false
	s.closing = make(chan struct{})
	s.closedMutex.Unlock()
	return nil
}
