// Package bug is a held-out kernel (issue 14): a stream store method that
// holds the read lock and calls another exported method that takes the
// read lock again.
//
// Upstream: nats-io/nats-server#6899 ("Fix potential deadlock in `MultiLastSeqs`")
// Round: 3
//
// Bug: MultiLastSeqs read-locks the store and, when called without
// filters, returns AllLastSeqs(), which read-locks the store again. If a
// publisher calls StoreMsg (write lock) between the two RLocks, the writer
// waits for the first reader and the second RLock waits behind the
// writer. The subject index is reduced to a map from subject to last
// sequence; the filter matching is our reduction.
//
// Fix: the body of AllLastSeqs moved to allLastSeqsLocked, which both
// AllLastSeqs (under its own RLock) and MultiLastSeqs call.
package bug

import (
	"errors"
	"slices"
	"strings"
	"sync"
)

// ErrStoreClosed is returned after Stop.
var ErrStoreClosed = errors.New("store is closed")

type memStore struct {
	mu     sync.RWMutex
	msgs   map[uint64][]byte
	last   map[string]uint64 // subject -> last sequence
	seq    uint64
	closed bool
}

func newMemStore() *memStore {
	return &memStore{msgs: make(map[uint64][]byte), last: make(map[string]uint64)}
}

// StoreMsg stores a message on the given subject.
func (ms *memStore) StoreMsg(subj string, msg []byte) (uint64, error) {
	ms.mu.Lock() // heldout:site
	defer ms.mu.Unlock()
	if ms.closed {
		return 0, ErrStoreClosed
	}
	ms.seq++
	ms.msgs[ms.seq] = msg
	ms.last[subj] = ms.seq
	return ms.seq, nil
}

// AllLastSeqs returns the last sequence of every subject, sorted.
func (ms *memStore) AllLastSeqs() ([]uint64, error) {
	ms.mu.RLock() // heldout:site
	defer ms.mu.RUnlock()
	if ms.closed {
		return nil, ErrStoreClosed
	}
	seqs := make([]uint64, 0, len(ms.last))
	for _, seq := range ms.last {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	return seqs, nil
}

// MultiLastSeqs returns the last sequences of the subjects matching any
// of the filters, up to maxSeq.
func (ms *memStore) MultiLastSeqs(filters []string, maxSeq uint64, maxAllowed int) ([]uint64, error) {
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	if ms.closed {
		return nil, ErrStoreClosed
	}
	if len(filters) == 0 {
		return ms.AllLastSeqs() // heldout:site
	}
	var seqs []uint64
	for subj, seq := range ms.last {
		if maxSeq > 0 && seq > maxSeq {
			continue
		}
		for _, f := range filters {
			if f == ">" || f == subj || (strings.HasSuffix(f, ".>") && strings.HasPrefix(subj, strings.TrimSuffix(f, ">"))) {
				seqs = append(seqs, seq)
				break
			}
		}
		if maxAllowed > 0 && len(seqs) > maxAllowed {
			return nil, errors.New("too many results")
		}
	}
	slices.Sort(seqs)
	return seqs, nil
}
