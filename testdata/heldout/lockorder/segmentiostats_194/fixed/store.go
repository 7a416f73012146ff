// Package fixed is the fixed version of lockorder/segmentiostats_194: the
// empty callback runs after the entry lock is released.
package fixed

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
	live := entry.states[:0]
	for _, s := range entry.states {
		if s.expiry.After(exp) {
			live = append(live, s)
		}
	}
	entry.states = live
	isEmpty := len(entry.states) == 0
	entry.mutex.Unlock()
	if isEmpty {
		empty()
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
		entry.mutex.RLock()
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
			store.mutex.Lock()
			delete(store.entries, key)
			store.mutex.Unlock()
		})
	}
}
