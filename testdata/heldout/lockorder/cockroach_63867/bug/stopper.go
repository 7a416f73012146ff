// Package bug is a held-out kernel (issue 14): a stopper that runs its
// closers while holding its own mutex, one closer visiting replicas under
// Replica.mu, while lease acquisition holds Replica.mu and starts an async
// task through the stopper, which takes the stopper's mutex.
//
// Upstream: cockroachdb/cockroach#63867 ("stop: break deadlock between Stopper.mu and Replica.mu")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Stopper.Stop locks s.mu and, still holding it, calls every closer.
// The closer added for the store iterates the non-destroyed replicas
// (Store.VisitReplicas), locking each Replica.mu to check its destroy
// status. Lease acquisition (InitOrJoinRequest) holds Replica.mu
// exclusively and kicks off the lease request with s.RunAsyncTask, which
// locks s.mu to check whether the stopper has stopped. The two paths take
// Stopper.mu and Replica.mu in opposite orders. The PR description gives
// the two paths; the types are our reduction.
//
// Fix: Stop copies the closers under s.mu and runs them after unlocking,
// so Stopper.mu comes after every other lock.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Closer is run when the stopper stops.
type Closer interface {
	Close()
}

// CloserFn adapts a func to Closer.
type CloserFn func()

// Close calls f.
func (f CloserFn) Close() { f() }

// Stopper coordinates shutdown.
type Stopper struct {
	mu struct {
		sync.Mutex
		stopping bool
		closers  []Closer
	}
	tasks sync.WaitGroup
}

var errUnavailable = errors.New("stopper is stopping")

// AddCloser registers c to be run by Stop.
func (s *Stopper) AddCloser(c Closer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.closers = append(s.mu.closers, c)
}

// RunAsyncTask runs f on a goroutine unless the stopper is stopping.
func (s *Stopper) RunAsyncTask(ctx context.Context, f func(context.Context)) error {
	s.mu.Lock() // heldout:site
	if s.mu.stopping {
		s.mu.Unlock()
		return errUnavailable
	}
	s.tasks.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.tasks.Done()
		f(ctx)
	}()
	return nil
}

// Stop runs the closers.
func (s *Stopper) Stop() {
	s.mu.Lock() // heldout:site
	defer s.mu.Unlock()
	s.mu.stopping = true
	for _, c := range s.mu.closers {
		c.Close()
	}
}

// Replica is one range replica.
type Replica struct {
	mu struct {
		sync.Mutex
		destroyed    bool
		pendingLease bool
	}
	store *Store
}

// Store holds replicas.
type Store struct {
	stopper  *Stopper
	replicas []*Replica
}

// VisitReplicas calls visitor for every replica not destroyed.
func (s *Store) VisitReplicas(visitor func(*Replica)) {
	for _, r := range s.replicas {
		r.mu.Lock() // heldout:site
		destroyed := r.mu.destroyed
		r.mu.Unlock()
		if !destroyed {
			visitor(r)
		}
	}
}

func newStore(stopper *Stopper) *Store {
	s := &Store{stopper: stopper}
	stopper.AddCloser(CloserFn(func() {
		s.VisitReplicas(func(r *Replica) {})
	}))
	return s
}

// InitOrJoinRequest starts a lease request or joins the pending one.
func (r *Replica) InitOrJoinRequest(ctx context.Context) error {
	r.mu.Lock() // heldout:site
	defer r.mu.Unlock()
	if r.mu.pendingLease {
		return nil
	}
	r.mu.pendingLease = true
	return r.store.stopper.RunAsyncTask(ctx, func(context.Context) { // heldout:site
		r.mu.Lock()
		r.mu.pendingLease = false
		r.mu.Unlock()
	})
}
