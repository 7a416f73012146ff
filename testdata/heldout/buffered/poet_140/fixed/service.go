// Package fixed is the fixed version of buffered/poet_140: a failed round
// logs its error; there is no error channel.
package fixed

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
	wg       sync.WaitGroup
}

// New returns a service that makes its rounds with newRound.
func New(newRound func(ClosedRound) Round) *Service {
	return &Service{newRound: newRound}
}

func (s *Service) executeRound(ctx context.Context, r Round) {
	defer s.wg.Done()
	if err := r.Execute(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Printf("round %d failed: %v", r.Epoch(), err)
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
			s.wg.Wait()
			s.wg.Add(1)
			go s.executeRound(ctx, s.newRound(cr))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
