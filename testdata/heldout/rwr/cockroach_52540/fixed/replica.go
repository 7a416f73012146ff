// Package fixed is a held-out kernel (issue 14): a CockroachDB replica whose
// checkExecutionCanProceed read-locks r.mu and, still holding it, calls
// getFreezeStart, which read-locks r.mu again. A merge that freezes the
// range (taking r.mu for writing) between the two RLocks queues behind
// the first and blocks the second: the request and the merge wait on
// each other for ever, and every later request on the range joins them.
//
// Upstream: cockroachdb/cockroach#52540 ("kvserver: remove unsafe recursive RLock acquisition")
// Round: 14
//
// Bug: the PR: "in checkExecutionCanProceed we were acquiring an RLock
// and then calling getFreezeStart which acquires the same RLock", and an
// intervening Lock() "will prevent new readers from acquiring their
// RLock until the first RLock is released". The two functions are kept
// with the replica's mu (a struct embedding a RWMutex); the request,
// lease and merge types are our reduction, and the writer (a subsume
// that records the freeze start under r.mu.Lock) is ours, standing for
// the replica's other writers of r.mu.
//
// Fix: checkExecutionCanProceed reads r.mu.freezeStart directly under
// the read lock it already holds.
package fixed

import (
	"errors"
	"sync"
)

// Timestamp is an HLC timestamp reduced to its wall time.
type Timestamp struct{ WallTime int64 }

// IsEmpty reports whether the timestamp is zero.
func (t Timestamp) IsEmpty() bool { return t.WallTime == 0 }

// Less orders timestamps.
func (t Timestamp) Less(o Timestamp) bool { return t.WallTime < o.WallTime }

// BatchRequest is a batch of reads or writes on one range.
type BatchRequest struct {
	Timestamp Timestamp
	IsWrite   bool
}

// LeaseStatus says whether this replica's lease is valid.
type LeaseStatus struct {
	Valid bool
}

var (
	errDestroyed  = errors.New("replica destroyed")
	errMergeInPrg = errors.New("range is frozen for a merge")
	errNotLease   = errors.New("not lease holder")
)

// Replica is one copy of a range.
type Replica struct {
	RangeID int64

	mu struct {
		sync.RWMutex
		destroyed   bool
		freezeStart Timestamp
		mergeDone   chan struct{}
	}
}

// getFreezeStart returns the time at which the range was frozen for a
// merge, or an empty timestamp.
func (r *Replica) getFreezeStart() Timestamp {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.mu.freezeStart
}

// checkExecutionCanProceed decides whether ba may be evaluated.
func (r *Replica) checkExecutionCanProceed(ba *BatchRequest, st LeaseStatus) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.mu.destroyed {
		return errDestroyed
	}
	if !st.Valid {
		return errNotLease
	}
	// A range frozen for a merge serves no write, nor a read above the
	// freeze.
	if freezeStart := r.mu.freezeStart; !freezeStart.IsEmpty() {
		if ba.IsWrite || freezeStart.Less(ba.Timestamp) {
			return errMergeInPrg
		}
	}
	return nil
}

// Send evaluates a batch if the replica may serve it.
func (r *Replica) Send(ba *BatchRequest, st LeaseStatus) error {
	if err := r.checkExecutionCanProceed(ba, st); err != nil {
		return err
	}
	return nil
}

// subsume freezes the range for a merge into its left neighbour.
func (r *Replica) subsume(now Timestamp) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.mergeDone == nil {
		r.mu.mergeDone = make(chan struct{})
	}
	r.mu.freezeStart = now
}

// completeMerge unfreezes the range once the merge has committed.
func (r *Replica) completeMerge() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.mergeDone != nil {
		close(r.mu.mergeDone)
		r.mu.mergeDone = nil
	}
	r.mu.freezeStart = Timestamp{}
}

// ServeDuringMerge sends requests while a merge freezes the range.
func ServeDuringMerge() {
	r := &Replica{RangeID: 7}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := int64(1); i <= 100; i++ {
			_ = r.Send(&BatchRequest{Timestamp: Timestamp{WallTime: i}}, LeaseStatus{Valid: true})
		}
	}()
	go func() {
		defer wg.Done()
		r.subsume(Timestamp{WallTime: 50})
		r.completeMerge()
	}()
	wg.Wait()
}
