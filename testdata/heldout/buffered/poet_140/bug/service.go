// Package bug is a held-out kernel (issue 14): the PoET service's round
// executions report a failure by writing it to a buffered error channel
// that nothing ever reads; once as many rounds have failed as the buffer
// holds, each later failed round blocks on that write for ever, and the
// service loop that waits for the round's goroutine blocks with it.
//
// Upstream: spacemeshos/poet#140 ("`Service::errChan` is never read so failed rounds will block")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: the issue: "When a round execution fails, it writes the error
// into errChan. However, nobody reads that channel anywhere. Because a
// write to a full channel blocks, it will lead to goroutines hanging
// indefinitely and leaking resources." Our reduction: the service loop
// takes closed rounds from the registration, runs each in a goroutine
// on a wait group and waits for the previous one before starting the
// next (PoET executes one round at a time); errChan's capacity is ours.
//
// Fix (our reading of the issue; upstream later removed errChan): a
// failed round logs its error instead of writing it to the channel.
package bug

import (
	"context"
	"errors"
	"log"
	"sync"
)

// ClosedRound is a round whose registration has closed.
type ClosedRound struct {
	Epoch          uint
	MembershipRoot []byte
}

// Round executes the proof of one epoch.
type Round interface {
	Execute(ctx context.Context) error
	Epoch() uint
}

// Service runs rounds as they close.
type Service struct {
	newRound func(ClosedRound) Round
	errChan  chan error
	wg       sync.WaitGroup
}

// New returns a service that makes its rounds with newRound.
func New(newRound func(ClosedRound) Round) *Service {
	return &Service{newRound: newRound, errChan: make(chan error, 10)}
}

func (s *Service) executeRound(ctx context.Context, r Round) {
	defer s.wg.Done()
	if err := r.Execute(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.errChan <- err // heldout:site
		return
	}
	log.Printf("round %d done", r.Epoch())
}

// Run executes closed rounds one at a time until ctx is done.
func (s *Service) Run(ctx context.Context, closedRounds <-chan ClosedRound) error {
	defer s.wg.Wait()
	for {
		select {
		case cr := <-closedRounds:
			s.wg.Wait() // heldout:site
			s.wg.Add(1)
			go s.executeRound(ctx, s.newRound(cr))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
