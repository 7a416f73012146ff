// Package bug is a held-out kernel (issue 14): an M3DB shard's tick walks
// its series under the shard's read lock and, for each series, asks the
// shard for a snapshot of its block states; BlockStatesSnapshot takes the
// same read lock again. When a write that inserts a new series asks for
// the shard's write lock between the two, the nested RLock waits behind
// the writer and the writer waits for the tick's first read lock, so
// ticks and writes to the shard stop for ever.
//
// Upstream: m3db/m3#2128 ("Remove nested read lock to prevent deadlock")
// Round: 18
//
// Bug: issue m3db/m3#2127: "There are new nested read locks in the
// tickAndExpire->BlockStatesSnapshot path. If first read lock in
// tickAndExpire is acquired and another goroutine wants to acquire a write
// lock it will make the tick goroutine block on acquiring nested read lock
// and prevent it from releasing the first one"; its goroutine dump shows
// the tick parked in RWMutex.RLock under BlockStatesSnapshot. The thread
// shows the shape, not all of the code: dbShard embeds a sync.RWMutex,
// keeps its series in a lookup map and a list, and ticks them in batches;
// series.Tick takes the block-state snapshot. The series' buffers,
// retention, flush states and the namespace index are our reduction.
//
// Fix: our reading of the PR and its review ("rewrite the fix to not
// require multiple acquisitions of the shard read lock"): the tick reads
// the block states through a variant that expects the caller to hold the
// read lock, and BlockStatesSnapshot alone takes it.
package bug

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
	s.RLock() // heldout:site
	snapshot := make(map[int64]BlockState, len(s.flushStates))
	for t, st := range s.flushStates {
		snapshot[t] = st
	}
	s.RUnlock()
	return ShardBlockStateSnapshot{Snapshot: snapshot}
}

// Tick expires data in every series.
func (s *dbShard) Tick() tickResult {
	return s.tickAndExpire()
}

func (s *dbShard) tickAndExpire() tickResult {
	var r tickResult
	for start := 0; ; start += s.tickBatch {
		s.RLock() // heldout:site
		if start >= len(s.list) {
			s.RUnlock()
			return r
		}
		end := start + s.tickBatch
		if end > len(s.list) {
			end = len(s.list)
		}
		for _, series := range s.list[start:end] {
			states := s.BlockStatesSnapshot() // heldout:site
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
		s.Lock() // heldout:site
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
