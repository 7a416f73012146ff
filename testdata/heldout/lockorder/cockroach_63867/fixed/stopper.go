// Package fixed is the fixed version of lockorder/cockroach_63867: Stop
// runs the closers after releasing Stopper.mu.
package fixed

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
	s.mu.Lock()
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
	s.mu.Lock()
	s.mu.stopping = true
	closers := append([]Closer(nil), s.mu.closers...)
	s.mu.Unlock()
	for _, c := range closers {
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
		r.mu.Lock()
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.pendingLease {
		return nil
	}
	r.mu.pendingLease = true
	return r.store.stopper.RunAsyncTask(ctx, func(context.Context) {
		r.mu.Lock()
		r.mu.pendingLease = false
		r.mu.Unlock()
	})
}
