// Package bug is a held-out kernel (issue 14): a Usenet segment reader
// whose download manager parks on a sync.Cond while it is far enough ahead
// of the read position; Close cancels the context and broadcasts without
// the cond's lock, so the broadcast can land between the manager's context
// check and its Wait, and when Close then gives up waiting after its
// timeout it clears the segments without broadcasting again: the manager
// sleeps in cond.Wait for ever, and so does the goroutine Close left
// waiting on the WaitGroup.
//
// Upstream: kipsilabs/altmount#429 ("fix: goroutine leak in UsenetReader.Close() and Go idiom modernization")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: issue #426: "The Close() timeout branch (30s) cancels the context
// and clears rg, but never calls b.downloadCond.Broadcast(). The download
// manager is stuck in Wait() with no signal coming ... (missed signal)",
// with pprof showing goroutines stuck in downloadManager at
// sync.Cond.Wait and in Close.func1.1 at sync.WaitGroup.Wait. The manager
// checks ctx.Err() before taking b.mu and waits once, not in a loop that
// rechecks the context. The pool, retries, metrics and segment decoding
// are reduced to a fetch function; the reader's own wake-ups (which
// upstream also sent without the lock, a separate later fix) take b.mu
// here so that the kernel holds one bug.
//
// Fix: the timeout branch broadcasts again after clearing rg, which wakes
// a manager parked after the first broadcast.
package bug

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

type segment struct {
	id   string
	data []byte
	err  error
	done chan struct{}
	once sync.Once
}

func (s *segment) set(data []byte, err error) {
	s.once.Do(func() {
		s.data, s.err = data, err
		close(s.done)
	})
}

type segmentRange struct {
	mu       sync.Mutex
	segments []*segment
	current  int
}

func (r *segmentRange) Len() int { return len(r.segments) }

func (r *segmentRange) GetCurrentIndex() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.current
}

// Next returns the segment at the read position and advances it.
func (r *segmentRange) Next() (*segment, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current >= len(r.segments) {
		return nil, io.EOF
	}
	s := r.segments[r.current]
	r.current++
	return s, nil
}

// CloseSegments fails every segment that has no data yet.
func (r *segmentRange) CloseSegments() {
	for _, s := range r.segments {
		s.set(nil, io.ErrClosedPipe)
	}
}

// Clear drops the segments.
func (r *segmentRange) Clear() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.segments = nil
	return nil
}

// UsenetReader reads a file made of Usenet segments, prefetching ahead.
type UsenetReader struct {
	wg           sync.WaitGroup
	ctx          context.Context
	cancel       context.CancelFunc
	rg           *segmentRange
	maxPrefetch  int
	fetch        func(ctx context.Context, id string) ([]byte, error)
	init         chan any
	initDownload sync.Once
	closeOnce    sync.Once

	nextToDownload int
	cond           *sync.Cond
	mu             sync.Mutex
}

// NewUsenetReader starts the download manager for the segments ids.
func NewUsenetReader(ctx context.Context, ids []string, maxPrefetch int, fetch func(ctx context.Context, id string) ([]byte, error)) *UsenetReader {
	ctx, cancel := context.WithCancel(ctx)
	rg := &segmentRange{}
	for _, id := range ids {
		rg.segments = append(rg.segments, &segment{id: id, done: make(chan struct{})})
	}
	ur := &UsenetReader{ctx: ctx, cancel: cancel, rg: rg, maxPrefetch: maxPrefetch, fetch: fetch, init: make(chan any, 1)}
	ur.cond = sync.NewCond(&ur.mu)
	ur.wg.Add(1)
	go func() {
		defer ur.wg.Done()
		ur.downloadManager(ctx)
	}()
	return ur
}

func (b *UsenetReader) downloadManager(ctx context.Context) {
	select {
	case <-b.init:
	case <-ctx.Done():
		return
	}
	total := b.rg.Len()
	for ctx.Err() == nil {
		b.mu.Lock()
		if b.rg == nil {
			b.mu.Unlock()
			return
		}
		if b.nextToDownload >= total {
			b.mu.Unlock()
			return
		}
		ahead := b.nextToDownload - b.rg.GetCurrentIndex()
		if ahead >= b.maxPrefetch {
			b.cond.Wait() // heldout:site
			b.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			continue
		}
		idx := b.nextToDownload
		b.nextToDownload++
		seg := b.rg.segments[idx]
		b.mu.Unlock()

		b.wg.Add(1)
		go func(s *segment) {
			defer b.wg.Done()
			data, err := b.fetch(ctx, s.id)
			s.set(data, err)
		}(seg)
	}
}

// Read reads the next segment's bytes.
func (b *UsenetReader) Read(p []byte) (int, error) {
	b.initDownload.Do(func() { b.init <- struct{}{} })
	b.mu.Lock()
	rg := b.rg
	b.mu.Unlock()
	if rg == nil {
		return 0, io.ErrClosedPipe
	}
	s, err := rg.Next()
	if err != nil {
		return 0, err
	}
	b.mu.Lock()
	b.cond.Signal()
	b.mu.Unlock()
	select {
	case <-s.done:
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	}
	if s.err != nil {
		return 0, s.err
	}
	return copy(p, s.data), nil
}

// Close stops the downloads and waits for them, for at most 30 seconds.
func (b *UsenetReader) Close() error {
	b.closeOnce.Do(func() {
		b.cancel()

		// Unblock downloadManager if it's waiting on the cond.
		b.cond.Broadcast() // heldout:site

		if b.rg != nil {
			b.rg.CloseSegments()
		}

		done := make(chan struct{})
		go func() {
			b.wg.Wait() // heldout:site
			close(done)
		}()

		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.mu.Lock()
			if b.rg != nil {
				_ = b.rg.Clear()
				b.rg = nil
			}
			b.mu.Unlock() // heldout:site
		}
	})
	return nil
}

// ErrNotFound is returned for a missing article.
var ErrNotFound = errors.New("article not found")
