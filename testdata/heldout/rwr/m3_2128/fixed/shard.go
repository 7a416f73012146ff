// Package fixed is the fixed version of rwr/m3_2128: the tick reads the
// block states through blockStatesSnapshotWithRLock while it already holds
// the shard's read lock, so no goroutine takes that read lock twice (our
// reading of the fix).
package fixed

import (
	"sync"
	"time"
)

// BlockState is the flush state of one block.
type BlockState struct {
	WarmRetrievable bool
	ColdVersion     int
}

// ShardBlockStateSnapshot is a copy of the shard's block states.
type ShardBlockStateSnapshot struct {
	Snapshot map[int64]BlockState
}

// QueryableBlockRetriever is what a series asks about flushed blocks.
type QueryableBlockRetriever interface {
	BlockStatesSnapshot() ShardBlockStateSnapshot
}

// Series is one time series in the shard.
type Series struct {
	ID     string
	points []int64
}

// Tick expires the series' old points given the flushed block states.
func (s *Series) Tick(states ShardBlockStateSnapshot) (expired int) {
	kept := s.points[:0]
	for _, p := range s.points {
		if st, ok := states.Snapshot[p/3600]; ok && st.WarmRetrievable {
			expired++
			continue
		}
		kept = append(kept, p)
	}
	s.points = kept
	return expired
}

type tickResult struct {
	activeSeries, expiredSeries int
}

type dbShard struct {
	sync.RWMutex
	lookup      map[string]*Series
	list        []*Series
	flushStates map[int64]BlockState
	tickBatch   int
	ticking     bool
}

func newShard() *dbShard {
	return &dbShard{lookup: map[string]*Series{}, flushStates: map[int64]BlockState{}, tickBatch: 64}
}

// BlockStatesSnapshot implements QueryableBlockRetriever.
func (s *dbShard) BlockStatesSnapshot() ShardBlockStateSnapshot {
	s.RLock()
	snapshot := s.blockStatesSnapshotWithRLock()
	s.RUnlock()
	return snapshot
}

// blockStatesSnapshotWithRLock expects the caller to hold the read lock.
func (s *dbShard) blockStatesSnapshotWithRLock() ShardBlockStateSnapshot {
	snapshot := make(map[int64]BlockState, len(s.flushStates))
	for t, st := range s.flushStates {
		snapshot[t] = st
	}
	return ShardBlockStateSnapshot{Snapshot: snapshot}
}

// Tick expires data in every series.
func (s *dbShard) Tick() tickResult {
	return s.tickAndExpire()
}

func (s *dbShard) tickAndExpire() tickResult {
	var r tickResult
	for start := 0; ; start += s.tickBatch {
		s.RLock()
		if start >= len(s.list) {
			s.RUnlock()
			return r
		}
		end := start + s.tickBatch
		if end > len(s.list) {
			end = len(s.list)
		}
		for _, series := range s.list[start:end] {
			states := s.blockStatesSnapshotWithRLock()
			if series.Tick(states) > 0 {
				r.expiredSeries++
			}
			r.activeSeries++
		}
		s.RUnlock()
		time.Sleep(time.Millisecond)
	}
}

// Write inserts a point, creating the series under the write lock.
func (s *dbShard) Write(id string, t int64) {
	s.RLock()
	series, ok := s.lookup[id]
	s.RUnlock()
	if !ok {
		s.Lock()
		if series, ok = s.lookup[id]; !ok {
			series = &Series{ID: id}
			s.lookup[id] = series
			s.list = append(s.list, series)
		}
		s.Unlock()
	}
	s.Lock()
	series.points = append(series.points, t)
	s.Unlock()
}

// MarkWarmFlushed records a flushed block.
func (s *dbShard) MarkWarmFlushed(block int64) {
	s.Lock()
	s.flushStates[block] = BlockState{WarmRetrievable: true}
	s.Unlock()
}
