// Package bug is a held-out kernel (issue 14): a TSDB head whose background
// chunk mmapping read-locks a stripe of the series map and then locks each
// series in it (stripe then series), while series garbage collection locks
// a series and then write-locks the stripe its ref belongs to (series then
// stripe).
//
// Upstream: prometheus/prometheus#19460 ("tsdb: fix gcSeries and mmapHeadChunksInStripe deadlocking")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: stripeSeries keeps each series twice: by ref in series[refStripe]
// and by label hash in hashes[hashStripe], each stripe guarded by
// locks[stripe]. mmapHeadChunksInStripe (from DB.run's loop) holds
// locks[i].RLock for the whole stripe and calls mmapSeriesChunks, which
// takes the series' mutex. gcSeries walks the hash stripes with
// iterForDeletion, holding locks[hashStripe].Lock, and its check callback
// locks the series and then, when the ref stripe differs, takes
// locks[refStripe].Lock to delete it. With gcSeries called from another
// goroutine (Mimir's CompactSelectedSeries), the two meet on one series:
// the mmapper holds the ref stripe's read lock and waits for the series,
// the collector holds the series and waits for the ref stripe (issue
// #19445, with both stacks).
//
// Fix: mmapHeadChunksInStripe copies the stripe's series under the read
// lock and mmaps them after releasing it, so it never holds a stripe lock
// while locking a series. (The PR also clears the head chunk of a
// collected series so a late mmap of it is a no-op; that is kept in both
// versions as the evicted flag mmapChunks checks.) Chunks are reduced to
// counters.
package bug

import "sync"

// HeadSeriesRef identifies a series in the head.
type HeadSeriesRef uint64

type memSeries struct {
	sync.Mutex
	ref        HeadSeriesRef
	hash       uint64
	headChunks int // samples in the head chunk
	mmapped    int
	lastTs     int64
	evicted    bool
}

// mmapChunks moves full head chunks to disk; s must be locked.
func (s *memSeries) mmapChunks() int {
	if s.evicted || s.headChunks == 0 {
		return 0
	}
	n := s.headChunks
	s.mmapped += n
	s.headChunks = 0
	return n
}

type stripeSeries struct {
	size   int
	series []map[HeadSeriesRef]*memSeries
	hashes []map[uint64][]*memSeries
	locks  []sync.RWMutex
}

func newStripeSeries(size int) *stripeSeries {
	s := &stripeSeries{
		size:   size,
		series: make([]map[HeadSeriesRef]*memSeries, size),
		hashes: make([]map[uint64][]*memSeries, size),
		locks:  make([]sync.RWMutex, size),
	}
	for i := range s.series {
		s.series[i] = map[HeadSeriesRef]*memSeries{}
		s.hashes[i] = map[uint64][]*memSeries{}
	}
	return s
}

func (s *stripeSeries) refStripe(ref HeadSeriesRef) int { return int(ref) & (s.size - 1) }

func (s *stripeSeries) hashStripe(hash uint64) int { return int(hash) & (s.size - 1) }

// set adds a series under both its ref and its hash.
func (s *stripeSeries) set(series *memSeries) {
	i := s.hashStripe(series.hash)
	s.locks[i].Lock()
	s.hashes[i][series.hash] = append(s.hashes[i][series.hash], series)
	s.locks[i].Unlock()

	j := s.refStripe(series.ref)
	s.locks[j].Lock()
	s.series[j][series.ref] = series
	s.locks[j].Unlock()
}

// iterForDeletion calls check for every series, holding each hash stripe's
// write lock, and deletes from the hash map the series check deleted.
func (s *stripeSeries) iterForDeletion(check func(hashStripe int, hash uint64, series *memSeries) bool) int {
	deleted := 0
	for i := 0; i < s.size; i++ {
		s.locks[i].Lock()
		for hash, all := range s.hashes[i] {
			kept := all[:0]
			for _, series := range all {
				if check(i, hash, series) {
					deleted++
					continue
				}
				kept = append(kept, series)
			}
			if len(kept) == 0 {
				delete(s.hashes[i], hash)
			} else {
				s.hashes[i][hash] = kept
			}
		}
		s.locks[i].Unlock()
	}
	return deleted
}

// gcSeries removes the series with no samples at or after mint.
func (s *stripeSeries) gcSeries(mint int64) int {
	check := func(hashStripe int, hash uint64, series *memSeries) bool {
		series.Lock()
		defer series.Unlock()

		if series.lastTs >= mint || series.headChunks > 0 {
			return false
		}
		// The series is in two stripes; the hash stripe is locked already.
		refStripe := s.refStripe(series.ref)
		if hashStripe != refStripe {
			s.locks[refStripe].Lock() // heldout:site
			defer s.locks[refStripe].Unlock()
		}
		delete(s.series[refStripe], series.ref)
		series.evicted = true
		return true
	}
	return s.iterForDeletion(check)
}

// Head is the in-memory block.
type Head struct {
	series *stripeSeries
}

// NewHead returns a head with 2^n stripes.
func NewHead(stripes int) *Head { return &Head{series: newStripeSeries(stripes)} }

// mmapHeadChunks mmaps the full head chunks of every series; DB.run calls
// it periodically.
func (h *Head) mmapHeadChunks() int {
	count := 0
	for i := 0; i < h.series.size; i++ {
		count += h.mmapHeadChunksInStripe(i)
	}
	return count
}

func (h *Head) mmapHeadChunksInStripe(i int) int {
	h.series.locks[i].RLock()
	defer h.series.locks[i].RUnlock()

	count := 0
	for _, series := range h.series.series[i] {
		count += h.mmapSeriesChunks(series)
	}
	return count
}

func (h *Head) mmapSeriesChunks(series *memSeries) int {
	series.Lock() // heldout:site
	defer series.Unlock()
	return series.mmapChunks()
}

// truncateSeries garbage-collects the series older than mint; Mimir's
// CompactSelectedSeries calls it from its own goroutine.
func (h *Head) truncateSeries(mint int64) int { return h.series.gcSeries(mint) }
