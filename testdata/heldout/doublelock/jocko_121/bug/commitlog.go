// Package bug is a held-out kernel (issue 14): a commit log whose split
// locks the log to add a segment and run the cleaner, and returns the
// cleaner's error with the lock still held; every later call that locks
// the log (the next split, Segments, Truncate, Close) blocks for ever.
//
// Upstream: travisjeffery/jocko#121 ("Fix split deadlock")
// Round: 8
//
// Bug: Append splits the log when the active segment is full: split
// makes a segment at the newest offset, then under l.mu appends it to
// the segments and passes them to the cleaner (delete or compact); on a
// cleaner error it returned without l.mu.Unlock(). The PR: "Unlock the
// mutex in the event of an error." Segments, the cleaner and the active
// segment (an atomic.Value upstream) are reduced.
//
// Fix: the error path unlocks l.mu before it returns.
package bug

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Segment is one file of the log.
type Segment struct {
	BaseOffset int64
	NextOffset int64
	maxBytes   int64
	size       int64
}

// IsFull reports whether the segment has reached its size.
func (s *Segment) IsFull() bool { return s.size >= s.maxBytes }

// Write appends a message set.
func (s *Segment) Write(p []byte) (int, error) {
	s.size += int64(len(p))
	s.NextOffset++
	return len(p), nil
}

// Cleaner drops or compacts old segments.
type Cleaner interface {
	Clean(segments []*Segment) ([]*Segment, error)
}

// CommitLog is an append-only log of segments.
type CommitLog struct {
	MaxSegmentBytes int64

	mu             sync.RWMutex
	segments       []*Segment
	vActiveSegment atomic.Value
	cleaner        Cleaner
}

// New returns a log with one empty segment.
func New(maxSegmentBytes int64, cleaner Cleaner) *CommitLog {
	l := &CommitLog{MaxSegmentBytes: maxSegmentBytes, cleaner: cleaner}
	s := &Segment{maxBytes: maxSegmentBytes}
	l.segments = []*Segment{s}
	l.vActiveSegment.Store(s)
	return l
}

func (l *CommitLog) activeSegment() *Segment { return l.vActiveSegment.Load().(*Segment) }

// NewestOffset is the offset the next message gets.
func (l *CommitLog) NewestOffset() int64 { return l.activeSegment().NextOffset }

func (l *CommitLog) checkSplit() bool { return l.activeSegment().IsFull() }

func (l *CommitLog) split() error {
	segment := &Segment{BaseOffset: l.NewestOffset(), NextOffset: l.NewestOffset(), maxBytes: l.MaxSegmentBytes}
	l.mu.Lock() // heldout:site
	segments := append(l.segments, segment)
	segments, err := l.cleaner.Clean(segments)
	if err != nil {
		return err // heldout:site
	}
	l.segments = segments
	l.mu.Unlock()
	l.vActiveSegment.Store(segment)
	return nil
}

// Append writes a message set, splitting the log when the active segment
// is full.
func (l *CommitLog) Append(b []byte) (int64, error) {
	if l.checkSplit() {
		if err := l.split(); err != nil {
			return 0, err
		}
	}
	offset := l.activeSegment().NextOffset
	if _, err := l.activeSegment().Write(b); err != nil {
		return 0, err
	}
	return offset, nil
}

// Segments returns the log's segments.
func (l *CommitLog) Segments() []*Segment {
	l.mu.RLock() // heldout:site
	defer l.mu.RUnlock()
	return l.segments
}

// Truncate drops the segments below offset.
func (l *CommitLog) Truncate(offset int64) error {
	l.mu.Lock() // heldout:site
	defer l.mu.Unlock()
	var segments []*Segment
	for _, s := range l.segments {
		if s.BaseOffset >= offset {
			segments = append(segments, s)
		}
	}
	if len(segments) == 0 {
		return errors.New("truncate would drop the active segment")
	}
	l.segments = segments
	return nil
}
