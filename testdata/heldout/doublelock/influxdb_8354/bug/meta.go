// Package bug is a held-out kernel (issue 14): a measurement's TagSets
// holds its read lock and, down the filter path, calls SeriesIDs, which
// upgrades to the write lock of the same measurement.
//
// Upstream: influxdata/influxdb#8354 ("Deadlock occurs calling Measurements.SeriesIDs")
// Round: 3
//
// Bug: Measurement.TagSets takes m.mu.RLock and calls down through the
// filter helpers to SeriesIDs. When the sorted series-ID cache is dirty,
// SeriesIDs drops its own read lock and takes m.mu.Lock to re-sort, but
// TagSets' read lock is still held by the same goroutine: the Lock waits
// forever. Index.TagSets holds the index read lock meanwhile, so the next
// writer on the index queues and every later reader blocks too. The issue
// gives the call chain; the fields and the filter are our reduction.
//
// Fix: the thread does not show the upstream change. In our fixed
// version the filter path calls seriesIDsLocked, which never takes the
// lock and sorts a copy when the cache is dirty.
package bug

import (
	"slices"
	"sync"
)

// SeriesIDs is a sorted list of series IDs.
type SeriesIDs []uint64

// TagSet is a group of series sharing the same tag values.
type TagSet struct {
	Key       string
	SeriesIDs SeriesIDs
}

// Measurement is the in-memory index of one measurement.
type Measurement struct {
	mu              sync.RWMutex
	Name            string
	seriesByID      map[uint64]map[string]string // id -> tags
	sortedSeriesIDs SeriesIDs
	dirty           bool
}

// AddSeries adds a series to the measurement.
func (m *Measurement) AddSeries(id uint64, tags map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seriesByID == nil {
		m.seriesByID = make(map[uint64]map[string]string)
	}
	m.seriesByID[id] = tags
	m.sortedSeriesIDs = append(m.sortedSeriesIDs, id)
	m.dirty = true
}

// SeriesIDs returns the sorted series IDs of the measurement.
func (m *Measurement) SeriesIDs() SeriesIDs {
	m.mu.RLock()
	if m.dirty {
		m.mu.RUnlock()
		m.mu.Lock() // heldout:site
		if m.dirty {
			slices.Sort(m.sortedSeriesIDs)
			m.dirty = false
		}
		m.mu.Unlock()
		m.mu.RLock()
	}
	defer m.mu.RUnlock()
	return m.sortedSeriesIDs
}

// filter returns the series matching the tag condition (all series when
// there is none).
func (m *Measurement) filter(key, value string) SeriesIDs {
	all := m.SeriesIDs() // heldout:site
	if key == "" {
		return all
	}
	var ids SeriesIDs
	for _, id := range all {
		if m.seriesByID[id][key] == value {
			ids = append(ids, id)
		}
	}
	return ids
}

// TagSets groups the matching series by the values of the dimension.
func (m *Measurement) TagSets(dimension, condKey, condValue string) []*TagSet {
	m.mu.RLock()
	defer m.mu.RUnlock()

	ids := m.filter(condKey, condValue)
	byKey := map[string]*TagSet{}
	var out []*TagSet
	for _, id := range ids {
		k := m.seriesByID[id][dimension]
		ts, ok := byKey[k]
		if !ok {
			ts = &TagSet{Key: k}
			byKey[k] = ts
			out = append(out, ts)
		}
		ts.SeriesIDs = append(ts.SeriesIDs, id)
	}
	return out
}
