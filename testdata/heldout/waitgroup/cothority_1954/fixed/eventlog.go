// Package fixed is the fixed version of waitgroup/cothority_1954: Done is
// deferred, so a recovered panic no longer leaves Close waiting.
package fixed

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
		defer s.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				log.Printf("eventlog: indexing block %d panicked: %v", b.Index, r)
			}
		}()
		if err := s.indexer.Index(b); err != nil {
			log.Printf("eventlog: indexing block %d: %v", b.Index, err)
		}
	}()
}

// Close waits for the indexing in progress.
func (s *Service) Close() {
	s.wg.Wait()
}
