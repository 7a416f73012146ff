// Package fixed is the fixed version of rwr/milvus_33044:
// GetNumRowsOfPartition leaves the locking to SelectSegments.
package fixed

import "sync"

// SegmentInfo is the part of a segment's meta the queries read.
type SegmentInfo struct {
	ID           int64
	CollectionID int64
	PartitionID  int64
	NumOfRows    int64
	Dropped      bool
}

// SegmentFilter selects segments.
type SegmentFilter func(*SegmentInfo) bool

// SegmentsInfo is the segment index, guarded by meta's lock.
type SegmentsInfo struct {
	segments map[int64]*SegmentInfo
}

// GetSegmentsBySelector returns the segments every filter accepts.
func (s *SegmentsInfo) GetSegmentsBySelector(filters ...SegmentFilter) []*SegmentInfo {
	var res []*SegmentInfo
outer:
	for _, seg := range s.segments {
		for _, f := range filters {
			if !f(seg) {
				continue outer
			}
		}
		res = append(res, seg)
	}
	return res
}

type meta struct {
	sync.RWMutex
	segments *SegmentsInfo
}

// SelectSegments returns the segments the filters accept.
func (m *meta) SelectSegments(filters ...SegmentFilter) []*SegmentInfo {
	m.RLock()
	defer m.RUnlock()
	return m.segments.GetSegmentsBySelector(filters...)
}

// AddSegment records a new segment.
func (m *meta) AddSegment(seg *SegmentInfo) {
	m.Lock()
	defer m.Unlock()
	m.segments.segments[seg.ID] = seg
}

// isSegmentHealthy reports whether a segment is neither dropped nor
// missing.
func isSegmentHealthy(s *SegmentInfo) bool {
	return s != nil && !s.Dropped
}

// GetNumRowsOfPartition returns row count of segments belongs to provided
// collection & partition.
func (m *meta) GetNumRowsOfPartition(collectionID, partitionID int64) int64 {
	var ret int64
	segments := m.SelectSegments(func(s *SegmentInfo) bool {
		return isSegmentHealthy(s) && s.CollectionID == collectionID && s.PartitionID == partitionID
	})
	for _, segment := range segments {
		ret += segment.NumOfRows
	}
	return ret
}
