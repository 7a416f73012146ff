// Package bug is a held-out kernel (issue 14): an event-log service that
// runs each block's indexing in a goroutine counted by a WaitGroup, where
// the goroutine recovers a panic but calls Done only on the normal path,
// so after a panic the service's Wait never returns.
//
// Upstream: dedis/cothority#1954 ("Fix wait group stuck in eventlog if a panic occurs")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: the PR title says the eventlog's wait group got stuck when a panic
// occurred (seen as a goroutine leak in its test). Our reduction: the
// indexer goroutine defers a recover that logs the panic, and calls
// wg.Done as its last statement; a panic while indexing unwinds past
// that statement, the recover swallows it, and Done is never called, so
// Close waits forever.
//
// Fix: Done is deferred, so it runs when the goroutine panics too.
package bug

import (
	"log"
	"sync"
)

// Block is a block of events.
type Block struct {
	Index  int
	Events [][]byte
}

// Indexer indexes the events of a block.
type Indexer interface {
	Index(b *Block) error
}

// Service indexes new blocks in the background.
type Service struct {
	indexer Indexer
	wg      sync.WaitGroup
}

// NewService returns a service using indexer.
func NewService(indexer Indexer) *Service {
	return &Service{indexer: indexer}
}

// BlockAdded starts indexing b.
func (s *Service) BlockAdded(b *Block) {
	s.wg.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Printf("eventlog: indexing block %d panicked: %v", b.Index, r)
			}
		}()
		if err := s.indexer.Index(b); err != nil { // heldout:site
			log.Printf("eventlog: indexing block %d: %v", b.Index, err)
		}
		s.wg.Done()
	}()
}

// Close waits for the indexing in progress.
func (s *Service) Close() {
	s.wg.Wait() // heldout:site
}
