// Package fixed is the fixed version of buffered/nil_580: notify skips a
// subscriber whose one-slot channel already holds a notification, so it
// never blocks with subsMutex held.
package fixed

import (
	"context"
	"sync"
	"time"
)

// Block is a shard block.
type Block struct {
	ID uint64
}

// blockSource fetches and stores blocks.
type blockSource interface {
	Next(ctx context.Context) ([]*Block, error)
	Save(ctx context.Context, blocks []*Block) error
}

// Syncer pulls blocks of one shard and notifies subscribers.
type Syncer struct {
	source  blockSource
	timeout time.Duration

	subsMutex sync.Mutex
	subsID    uint64
	subs      map[uint64]chan struct{}
}

// NewSyncer returns a syncer for source.
func NewSyncer(source blockSource, timeout time.Duration) *Syncer {
	return &Syncer{
		source:  source,
		timeout: timeout,
		subs:    make(map[uint64]chan struct{}),
	}
}

// Subscribe returns a channel that is signalled when blocks are saved.
func (s *Syncer) Subscribe() (uint64, <-chan struct{}) {
	s.subsMutex.Lock()
	defer s.subsMutex.Unlock()

	ch := make(chan struct{}, 1)
	id := s.subsID
	s.subs[id] = ch
	s.subsID++
	return id, ch
}

// Unsubscribe removes and closes a subscription.
func (s *Syncer) Unsubscribe(id uint64) {
	s.subsMutex.Lock()
	defer s.subsMutex.Unlock()

	close(s.subs[id])
	delete(s.subs, id)
}

func (s *Syncer) notify() {
	s.subsMutex.Lock()
	defer s.subsMutex.Unlock()

	for _, ch := range s.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Run fetches blocks until ctx ends.
func (s *Syncer) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(s.timeout):
			s.fetchBlocks(ctx)
		}
	}
}

func (s *Syncer) fetchBlocks(ctx context.Context) {
	for {
		blocks, err := s.source.Next(ctx)
		if err != nil || len(blocks) == 0 {
			return
		}
		if err := s.saveBlocks(ctx, blocks); err != nil {
			return
		}
	}
}

func (s *Syncer) saveBlocks(ctx context.Context, blocks []*Block) error {
	if len(blocks) == 0 {
		return nil
	}
	if err := s.source.Save(ctx, blocks); err != nil {
		return err
	}
	s.notify()
	return nil
}

// consensus restarts its round when the syncer inserts a block.
type consensus struct {
	syncer *Syncer
	round  func(ctx context.Context) error
}

// runRound runs one round, abandoning it when the syncer saves a block.
func (c *consensus) runRound(ctx context.Context) error {
	id, ch := c.syncer.Subscribe()
	defer c.syncer.Unsubscribe(id)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errc := make(chan error, 1)
	go func() { errc <- c.round(ctx) }()

	select {
	case <-ch:
		cancel()
		<-errc
		return nil
	case err := <-errc:
		return err
	}
}
