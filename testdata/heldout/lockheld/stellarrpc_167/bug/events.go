// Package bug is a held-out kernel (issue 14): an in-memory event store
// whose ingestion returns on an append error with the store's lock still
// held, so every later reader and writer blocks.
//
// Upstream: stellar/stellar-rpc#167 ("Fix deadlock on events ingestion error")
// Round: 4
//
// Bug: IngestEvents locks the store, appends the ledger's events to the
// ledger bucket window and unlocks; when Append fails (a ledger out of
// sequence) it returns the error without unlocking. The next Scan (read
// lock) or IngestEvents (write lock) blocks forever. The bucket window is
// reduced to a slice with a sequence check.
//
// Fix: unlock before returning the error.
package bug

import (
	"fmt"
	"sync"
	"time"
)

// Event is one contract event.
type Event struct {
	Ledger uint32
	Topic  string
	Data   []byte
}

// LedgerBucket holds the events of one ledger.
type LedgerBucket struct {
	LedgerSeq uint32
	Events    []Event
}

// LedgerBucketWindow keeps the buckets of the last retention ledgers.
type LedgerBucketWindow struct {
	retention uint32
	buckets   []LedgerBucket
}

// Append adds the next ledger's bucket, evicting the oldest one when full.
func (w *LedgerBucketWindow) Append(b LedgerBucket) (*LedgerBucket, error) {
	if n := len(w.buckets); n > 0 && w.buckets[n-1].LedgerSeq+1 != b.LedgerSeq {
		return nil, fmt.Errorf("ledgers not contiguous: expected ledger sequence %d but received %d", w.buckets[n-1].LedgerSeq+1, b.LedgerSeq)
	}
	var evicted *LedgerBucket
	if uint32(len(w.buckets)) == w.retention {
		evicted = &w.buckets[0]
		w.buckets = w.buckets[1:]
	}
	w.buckets = append(w.buckets, b)
	return evicted, nil
}

// MemoryStore is an in-memory store of contract events.
type MemoryStore struct {
	lock           sync.RWMutex
	eventsByLedger *LedgerBucketWindow
	observe        func(op string, d time.Duration)
}

// NewMemoryStore returns a store retaining the given number of ledgers.
func NewMemoryStore(retention uint32, observe func(string, time.Duration)) *MemoryStore {
	return &MemoryStore{eventsByLedger: &LedgerBucketWindow{retention: retention}, observe: observe}
}

// IngestEvents adds the events of one closed ledger.
func (m *MemoryStore) IngestEvents(seq uint32, events []Event) error {
	startTime := time.Now()
	bucket := LedgerBucket{LedgerSeq: seq, Events: events}
	m.lock.Lock() // heldout:site
	if _, err := m.eventsByLedger.Append(bucket); err != nil {
		return err // heldout:site
	}
	m.lock.Unlock()
	m.observe("ingest", time.Since(startTime))
	return nil
}

// Scan calls f on every stored event of the ledgers from start on.
func (m *MemoryStore) Scan(start uint32, f func(Event) bool) error {
	m.lock.RLock() // heldout:site
	defer m.lock.RUnlock()
	for _, b := range m.eventsByLedger.buckets {
		if b.LedgerSeq < start {
			continue
		}
		for _, e := range b.Events {
			if !f(e) {
				return nil
			}
		}
	}
	return nil
}
