// Package fixed is the fixed version of doublelock/influxdb_8354: the
// filter path reads the series IDs without taking the lock again.
package fixed

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
		m.mu.Lock()
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

// seriesIDsLocked is SeriesIDs for callers holding m.mu (read or
// write): it never locks, and sorts a copy when the cache is dirty.
func (m *Measurement) seriesIDsLocked() SeriesIDs {
	if !m.dirty {
		return m.sortedSeriesIDs
	}
	ids := slices.Clone(m.sortedSeriesIDs)
	slices.Sort(ids)
	return ids
}

// filter returns the series matching the tag condition (all series when
// there is none).
func (m *Measurement) filter(key, value string) SeriesIDs {
	all := m.seriesIDsLocked()
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
