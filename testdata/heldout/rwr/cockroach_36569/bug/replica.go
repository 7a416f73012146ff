// Package bug is a held-out kernel (issue 14): a range replica's State,
// which the status server calls for the range debug page, read-locks
// the replica's mutex for the whole copy and, still holding it, calls
// maxClosed, which read-locks the same mutex again; when the raft apply
// path has queued for the write lock between the two, the second RLock
// waits behind the writer and the writer waits for the first RLock.
//
// Upstream: cockroachdb/cockroach#36569 ("storage: avoid deadlock due to reentrant RLock")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: Replica.State did `r.mu.RLock(); defer r.mu.RUnlock()`, copied
// the replica state, and ended with
// `ri.ActiveClosedTimestamp = r.maxClosed(ctx)`; maxClosed RLocks r.mu
// to read the lease applied index and the lease before asking the
// closed-timestamp provider. The review thread shows the fixed lines
// ("do this first before RLocking below"). The writer, an applied
// command bumping the lease applied index under r.mu.Lock, stands for
// any of the replica's many write-lock holders and is our choice; the
// state, the provider and the store are reduced to what State reads.
//
// Fix: State computes ActiveClosedTimestamp with maxClosed before
// taking the read lock.
package bug

import (
	"context"
	"sync"
)

// Timestamp is an HLC timestamp.
type Timestamp struct {
	WallTime int64
	Logical  int32
}

// Lease is a range lease.
type Lease struct {
	NodeID int32
	Epoch  int64
}

// ReplicaState is the replicated state of a range.
type ReplicaState struct {
	RaftAppliedIndex  uint64
	LeaseAppliedIndex uint64
	Lease             *Lease
}

// RangeInfo is what the status server reports about a replica.
type RangeInfo struct {
	ReplicaState          ReplicaState
	LastIndex             uint64
	NumPending            uint64
	RaftLogSize           int64
	ActiveClosedTimestamp Timestamp
}

// ClosedTimestampProvider answers which timestamp is closed for a range.
type ClosedTimestampProvider interface {
	MaxClosed(nodeID int32, rangeID int64, epoch int64, lai uint64) Timestamp
}

// StoreConfig holds a store's dependencies.
type StoreConfig struct {
	ClosedTimestampProvider ClosedTimestampProvider
}

// Store holds replicas.
type Store struct {
	cfg StoreConfig
}

// Replica is one replica of a range.
type Replica struct {
	RangeID int64
	store   *Store

	mu struct {
		sync.RWMutex
		state       ReplicaState
		lastIndex   uint64
		raftLogSize int64
		proposals   map[string]struct{}
	}
}

// NewReplica returns a replica of rangeID on store.
func NewReplica(store *Store, rangeID int64, lease Lease) *Replica {
	r := &Replica{RangeID: rangeID, store: store}
	r.mu.state.Lease = &lease
	r.mu.proposals = map[string]struct{}{}
	return r
}

// State returns a copy of the replica's state with some auxiliary
// information.
func (r *Replica) State() RangeInfo {
	var ri RangeInfo
	r.mu.RLock() // heldout:site
	defer r.mu.RUnlock()
	ri.ReplicaState = r.mu.state
	if l := r.mu.state.Lease; l != nil {
		lease := *l
		ri.ReplicaState.Lease = &lease
	}
	ri.LastIndex = r.mu.lastIndex
	ri.NumPending = uint64(len(r.mu.proposals))
	ri.RaftLogSize = r.mu.raftLogSize
	ri.ActiveClosedTimestamp = r.maxClosed(context.Background()) // heldout:site
	return ri
}

// maxClosed returns the maximum closed timestamp for this range.
func (r *Replica) maxClosed(ctx context.Context) Timestamp {
	r.mu.RLock() // heldout:site
	lai := r.mu.state.LeaseAppliedIndex
	lease := *r.mu.state.Lease
	r.mu.RUnlock()
	return r.store.cfg.ClosedTimestampProvider.MaxClosed(lease.NodeID, r.RangeID, lease.Epoch, lai)
}

// applyCommand records an applied raft command.
func (r *Replica) applyCommand(raftIndex, leaseIndex uint64, logDelta int64) {
	r.mu.Lock() // heldout:site
	defer r.mu.Unlock()
	r.mu.state.RaftAppliedIndex = raftIndex
	if leaseIndex > r.mu.state.LeaseAppliedIndex {
		r.mu.state.LeaseAppliedIndex = leaseIndex
	}
	r.mu.raftLogSize += logDelta
	if raftIndex > r.mu.lastIndex {
		r.mu.lastIndex = raftIndex
	}
}

// Command is a committed raft command.
type Command struct {
	RaftIndex, LeaseIndex uint64
	Size                  int64
}

// ApplyLoop applies committed commands until commands is closed.
func (r *Replica) ApplyLoop(commands <-chan Command) {
	for c := range commands {
		r.applyCommand(c.RaftIndex, c.LeaseIndex, c.Size)
	}
}

// StatusServer serves range debug information.
type StatusServer struct {
	replicas map[int64]*Replica
}

// RangeInfos returns the state of every replica.
func (s *StatusServer) RangeInfos() []RangeInfo {
	var out []RangeInfo
	for _, r := range s.replicas {
		out = append(out, r.State())
	}
	return out
}
