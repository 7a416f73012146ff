// Package fixed is the fixed version of rwr/cockroach_66760: the log line
// uses the descriptor read under the lock already held.
package fixed

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
	r.mu.RLock()
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
	desc := r.mu.state.Desc
	if protected <= r.mu.state.GCThreshold {
		return false, nil
	}

	r.protectedTimestampMu.Lock()
	defer r.protectedTimestampMu.Unlock()
	if recordAliveAt < r.protectedTimestampMu.cacheReadAt {
		r.logf("%v: not verifiable: read %v, alive %v", desc, r.protectedTimestampMu.cacheReadAt, recordAliveAt)
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
	r.mu.Lock()
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
	wg.Wait()
}
