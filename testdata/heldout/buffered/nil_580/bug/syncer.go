// Package bug is a held-out kernel (issue 14): =nil;'s shard Syncer hands
// each subscriber a channel with room for one notification and, after
// saving blocks, sends to every subscriber while holding subsMutex; a
// second block saved before a subscriber drains its channel blocks the
// send for ever, with the mutex held, and the subscriber's Unsubscribe
// then blocks on that mutex.
//
// Upstream: NilFoundation/nil#580 ("[collate] fix deadlock on block subscription")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Subscribe makes `make(chan struct{}, 1)` and stores it under an
// id; notify, called by saveBlocks after every batch written (from the
// topic or from fetchBlocks), locks subsMutex and does `ch <- struct{}{}`
// for each subscriber. The consensus side subscribes to wait until a
// block is inserted by the syncer, waits on the channel or its context,
// and unsubscribes. The PR: "it's possible case when we write two notify
// messages into a channel before wait code call unsubscribe". The first
// fills the buffer, the second blocks inside notify with subsMutex held,
// and Unsubscribe (deferred by the waiter whose context has ended) waits
// for the mutex: the syncer and the waiter are stuck for good. Our
// reduction: block storage and the network become a small interface; the
// waiter is our reduction of the consensus code that restarts a round
// when the syncer inserts a block.
//
// Fix: notify sends with `select { case ch <- struct{}{}: default: }`,
// skipping channels that do not accept the message (one pending
// notification is enough to wake the waiter).
package bug

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
	s.subsMutex.Lock() // heldout:site
	defer s.subsMutex.Unlock()

	close(s.subs[id])
	delete(s.subs, id)
}

func (s *Syncer) notify() {
	s.subsMutex.Lock()
	defer s.subsMutex.Unlock()

	for _, ch := range s.subs {
		ch <- struct{}{} // heldout:site
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
