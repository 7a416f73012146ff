// Package fixed is the fixed version of cond/altmount_429: Close's
// timeout branch broadcasts again after clearing the segments.
package fixed

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
			b.cond.Wait()
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
		b.cond.Broadcast()

		if b.rg != nil {
			b.rg.CloseSegments()
		}

		done := make(chan struct{})
		go func() {
			b.wg.Wait()
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
			b.mu.Unlock()
			// Wake a manager that entered cond.Wait after the first
			// broadcast; it sees the cancelled context and returns.
			b.cond.Broadcast()
		}
	})
	return nil
}

// ErrNotFound is returned for a missing article.
var ErrNotFound = errors.New("article not found")
