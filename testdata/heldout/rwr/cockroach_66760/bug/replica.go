// Package bug is a held-out kernel (issue 14): a CockroachDB replica
// verifying a protected timestamp record holds its mutex for reading and,
// on the path that logs why the record cannot be verified, calls
// r.Desc(), which read-locks the same mutex again; a writer (here the GC
// queue raising the GC threshold) that asks for the write lock in between
// blocks the second RLock, and the verification and every later reader
// and writer of the replica wait for ever.
//
// Upstream: cockroachdb/cockroach#66760 ("kvserver: deadlock when getting replica.Desc while under lock", fixes cockroachdb/cockroach#66759)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "Error logging was using replica.Desc() to get range keys
// while already operating under replica read lock. It was causing
// deadlock if another go routine tried to acquire a write. We already have
// a description locally so no need to get locks at all." (release note:
// "Fix deadlock during adminVerifyProtectedTimestamp"). The replica's mu
// and state, Desc(), adminVerifyProtectedTimestamp and
// protectedTimestampRecordApplies are kept; the lease check, the
// protected timestamp cache and the GC queue are our reduction to what
// the two paths touch.
//
// Fix: the log line uses the descriptor already read under the lock
// instead of calling r.Desc().
package bug

import (
	"fmt"
	"sync"
)

// Timestamp is an HLC timestamp, reduced to wall time.
type Timestamp int64

// RangeDescriptor describes the range a replica belongs to.
type RangeDescriptor struct {
	RangeID  int64
	StartKey string
	EndKey   string
}

func (d *RangeDescriptor) String() string {
	return fmt.Sprintf("r%d:[%s,%s)", d.RangeID, d.StartKey, d.EndKey)
}

// ReplicaState is the replicated state of a range.
type ReplicaState struct {
	Desc        *RangeDescriptor
	GCThreshold Timestamp
}

// Replica is one copy of a range on a store.
type Replica struct {
	mu struct {
		sync.RWMutex
		state ReplicaState
	}
	protectedTimestampMu struct {
		sync.Mutex
		cacheReadAt Timestamp
	}
	logs []string
}

// Desc returns the authoritative range descriptor.
func (r *Replica) Desc() *RangeDescriptor {
	r.mu.RLock() // heldout:site
	defer r.mu.RUnlock()
	return r.mu.state.Desc
}

func (r *Replica) logf(format string, args ...interface{}) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// protectedTimestampRecordApplies reports whether a record protecting
// protected, known alive at recordAliveAt, will be respected by GC.
func (r *Replica) protectedTimestampRecordApplies(protected, recordAliveAt Timestamp) (bool, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if protected <= r.mu.state.GCThreshold {
		return false, nil
	}

	r.protectedTimestampMu.Lock()
	defer r.protectedTimestampMu.Unlock()
	if recordAliveAt < r.protectedTimestampMu.cacheReadAt {
		r.logf("%v: not verifiable: read %v, alive %v", r.Desc(), r.protectedTimestampMu.cacheReadAt, recordAliveAt) // heldout:site
		return false, nil
	}
	return true, nil
}

// adminVerifyProtectedTimestamp answers AdminVerifyProtectedTimestamp.
func (r *Replica) adminVerifyProtectedTimestamp(protected, recordAliveAt Timestamp) bool {
	applies, err := r.protectedTimestampRecordApplies(protected, recordAliveAt)
	return err == nil && applies
}

// markGCThreshold raises the GC threshold, as applying a GC request does.
func (r *Replica) markGCThreshold(ts Timestamp) {
	r.mu.Lock() // heldout:site
	defer r.mu.Unlock()
	if ts > r.mu.state.GCThreshold {
		r.mu.state.GCThreshold = ts
	}
}

// VerifyDuringGC verifies a record while the GC queue processes the range.
func VerifyDuringGC() {
	r := &Replica{}
	r.mu.state = ReplicaState{Desc: &RangeDescriptor{RangeID: 7, StartKey: "a", EndKey: "m"}, GCThreshold: 10}
	r.protectedTimestampMu.cacheReadAt = 50

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		r.adminVerifyProtectedTimestamp(40, 20)
	}()
	go func() {
		defer wg.Done()
		r.markGCThreshold(30)
	}()
	wg.Wait() // heldout:site
}
