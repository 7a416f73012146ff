// Package fixed is the fixed version of cond/erigon_22857: every
// Broadcast, and every change of the event, is made under the mutex.
package fixed

import (
	"context"
	"sync"
)

// Notifier lets one producer set an event that many waiters wait for.
type Notifier struct {
	mutex    sync.Mutex
	cond     *sync.Cond
	hasEvent bool
}

// NewNotifier returns a notifier in the non-signalled state.
func NewNotifier() *Notifier {
	n := &Notifier{}
	n.cond = sync.NewCond(&n.mutex)
	return n
}

// Reset clears the event.
func (n *Notifier) Reset() {
	n.mutex.Lock()
	n.hasEvent = false
	n.mutex.Unlock()
}

// SetAndBroadcast sets the event and wakes the waiters.
func (n *Notifier) SetAndBroadcast() {
	n.mutex.Lock()
	n.hasEvent = true
	n.cond.Broadcast()
	n.mutex.Unlock()
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
		for !n.hasEvent && waitCtx.Err() == nil {
			n.cond.Wait()
		}
		waitCancel()
	}()

	// Whichever comes first: the helper sees the event, or ctx is done.
	<-waitCtx.Done()

	// Wake the helper in case ctx was cancelled; under the mutex, so the
	// helper is either parked in Wait or will see the cancelled context.
	n.mutex.Lock()
	n.cond.Broadcast()
	n.mutex.Unlock()

	wg.Wait()
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
