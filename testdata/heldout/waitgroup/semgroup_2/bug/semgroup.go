// Package bug is a held-out kernel (issue 14): WaitGroup.Add whose Done is
// skipped on an error return, so Wait blocks forever.
//
// Upstream: fatih/semgroup#2 ("Fix deadlock")
// Seen: 2213031 (analyzer/chanblock's testdata reduces the same fix, found independently by another helper)
//
// Bug: Group.Go calls wg.Add(1) before acquiring the semaphore; when
// Acquire fails (the context is done) it returns without starting the
// goroutine that would call Done, and the next Wait blocks forever.
//
// Fix: Go calls wg.Done when Acquire fails (and records the error).
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// semaphore stands for golang.org/x/sync/semaphore.Weighted.
type semaphore struct{ slots chan struct{} }

func (s *semaphore) Acquire(ctx context.Context, n int64) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *semaphore) Release(n int64) { <-s.slots }

// Group runs functions with at most maxWorkers at a time.
type Group struct {
	sem  *semaphore
	wg   sync.WaitGroup
	ctx  context.Context
	mu   sync.Mutex
	errs []error
}

// NewGroup returns a group bounded by maxWorkers.
func NewGroup(ctx context.Context, maxWorkers int64) *Group {
	return &Group{ctx: ctx, sem: &semaphore{slots: make(chan struct{}, maxWorkers)}}
}

// Go runs f once a worker slot is free.
func (g *Group) Go(f func() error) {
	g.wg.Add(1) // heldout:site

	err := g.sem.Acquire(g.ctx, 1)
	if err != nil {
		return // heldout:site
	}

	go func() {
		defer g.sem.Release(1)
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.errs = append(g.errs, err)
			g.mu.Unlock()
		}
	}()
}

// Wait waits for every function started by Go.
func (g *Group) Wait() error {
	g.wg.Wait() // heldout:site
	if len(g.errs) == 0 {
		return nil
	}
	return fmt.Errorf("semgroup: %w", errors.Join(g.errs...))
}
