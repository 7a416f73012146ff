// Package bug is a held-out kernel (issue 14): an event notifier whose
// Wait parks a helper goroutine on a sync.Cond and, when the caller's
// context is cancelled, wakes it with a Broadcast made without the cond's
// mutex; a Broadcast that lands after the helper checked the context but
// before it is parked in cond.Wait reaches nobody, the helper sleeps for
// ever, and Wait blocks for ever in wg.Wait.
//
// Upstream: erigontech/erigon#22857 ("common/event: broadcast under the mutex in Notifier")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR: "Notifier calls cond.Broadcast() without holding mutex, at
// both broadcast sites. A waiter evaluates the loop condition under the
// mutex and only registers on the cond inside cond.Wait(), so a broadcast
// landing between those two steps notifies an empty list and is lost ...
// On the cancel-path site in Wait it is permanent: the context is already
// cancelled, nothing broadcasts again, and wg.Wait() never returns." The
// consumer (a heimdall scraper whose Synchronize waits for the idle
// event) is reduced to Scraper; the span store to a slice.
//
// Fix: SetAndBroadcast, Reset and the cancel-path Broadcast in Wait all
// take the mutex, and hasEvent becomes a plain bool guarded by it.
package bug

import (
	"context"
	"sync"
	"sync/atomic"
)

// Notifier lets one producer set an event that many waiters wait for.
type Notifier struct {
	mutex    sync.Mutex
	cond     *sync.Cond
	hasEvent atomic.Bool
}

// NewNotifier returns a notifier in the non-signalled state.
func NewNotifier() *Notifier {
	n := &Notifier{}
	n.cond = sync.NewCond(&n.mutex)
	return n
}

// Reset clears the event.
func (n *Notifier) Reset() {
	n.hasEvent.Store(false)
}

// SetAndBroadcast sets the event and wakes the waiters.
func (n *Notifier) SetAndBroadcast() {
	n.hasEvent.Store(true)
	n.cond.Broadcast()
}

// Wait returns when the event is set or ctx is done.
func (n *Notifier) Wait(ctx context.Context) {
	waitCtx, waitCancel := context.WithCancel(ctx)
	defer waitCancel()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n.mutex.Lock()
		defer n.mutex.Unlock()
		for !n.hasEvent.Load() && waitCtx.Err() == nil {
			n.cond.Wait() // heldout:site
		}
		waitCancel()
	}()

	// Whichever comes first: the helper sees the event, or ctx is done.
	<-waitCtx.Done()

	// Wake the helper in case ctx was cancelled.
	n.cond.Broadcast() // heldout:site

	wg.Wait() // heldout:site
}

// Span is a range of blocks with its producers.
type Span struct {
	ID         uint64
	StartBlock uint64
	EndBlock   uint64
}

// Scraper fetches spans and tells Synchronize callers when it is idle.
type Scraper struct {
	fetch func(ctx context.Context) ([]Span, error)
	idle  *Notifier

	mu    sync.Mutex
	spans []Span
}

// NewScraper returns a scraper using fetch.
func NewScraper(fetch func(ctx context.Context) ([]Span, error)) *Scraper {
	return &Scraper{fetch: fetch, idle: NewNotifier()}
}

// Run fetches until ctx is done, marking itself idle when caught up.
func (s *Scraper) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		s.idle.Reset()
		spans, err := s.fetch(ctx)
		if err != nil {
			return err
		}
		if len(spans) == 0 {
			s.idle.SetAndBroadcast()
			continue
		}
		s.mu.Lock()
		s.spans = append(s.spans, spans...)
		s.mu.Unlock()
	}
	return ctx.Err()
}

// Synchronize waits until the scraper has caught up or ctx is done.
func (s *Scraper) Synchronize(ctx context.Context) {
	s.idle.Wait(ctx)
}
