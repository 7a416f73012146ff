// Package bug is a held-out kernel (issue 14): lock-order inversion between
// a store's lock and an entry's lock, through the entry's "empty" callback.
//
// Upstream: segmentio/stats#194 ("Fix deadlock in metrics")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: metricEntry.cleanup expires states while holding entry.mutex and, if
// the entry became empty, calls the empty callback, which takes
// store.mutex.Lock to delete the entry from the map. metricStore.collect
// holds store.mutex.RLock and takes each entry.mutex.RLock. One goroutine
// holds the entry lock and waits for the store lock, the other the reverse.
//
// Fix: cleanup records under entry.mutex whether the entry is empty,
// unlocks, and only then calls empty().
package bug

import (
	"sync"
	"time"
)

type metricKey struct {
	name string
	tags string
}

type metricState struct {
	value  float64
	expiry time.Time
}

type metricEntry struct {
	mutex  sync.RWMutex
	states []*metricState
}

// cleanup drops the states expired at exp; empty is called when none is left.
func (entry *metricEntry) cleanup(exp time.Time, empty func()) {
	entry.mutex.Lock()
	defer entry.mutex.Unlock()
	live := entry.states[:0]
	for _, s := range entry.states {
		if s.expiry.After(exp) {
			live = append(live, s)
		}
	}
	entry.states = live
	if len(entry.states) == 0 {
		empty() // heldout:site
	}
}

type metricStore struct {
	mutex   sync.RWMutex
	entries map[metricKey]*metricEntry
}

// collect gathers the current value of every metric.
func (store *metricStore) collect(metrics []float64) []float64 {
	store.mutex.RLock()
	defer store.mutex.RUnlock()
	for _, entry := range store.entries {
		entry.mutex.RLock() // heldout:site
		for _, s := range entry.states {
			metrics = append(metrics, s.value)
		}
		entry.mutex.RUnlock()
	}
	return metrics
}

// cleanup expires old states and deletes the entries left empty.
func (store *metricStore) cleanup(exp time.Time) {
	store.mutex.RLock()
	entries := make(map[metricKey]*metricEntry, len(store.entries))
	for k, e := range store.entries {
		entries[k] = e
	}
	store.mutex.RUnlock()
	for key, entry := range entries {
		entry.cleanup(exp, func() {
			store.mutex.Lock() // heldout:site
			delete(store.entries, key)
			store.mutex.Unlock()
		})
	}
}
