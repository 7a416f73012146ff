package mixvar

import (
	"sync"
	"time"
)

// A store starts its flusher through spawn, which counts the goroutine
// with a track helper and drops the count with a deferred untrack after
// the function it was given returns. Stop holds s.mu while it waits on
// s.wg; the flusher, in a flush, waits for s.mu and never returns
// (mixed/milvus_8567, the Add and the Done in helpers and the goroutine
// started by a starter).
type store struct {
	mu      sync.Mutex
	pending []string
	wg      sync.WaitGroup
	quit    chan struct{}
}

func (s *store) track()   { s.wg.Add(1) }
func (s *store) untrack() { s.wg.Done() }

func (s *store) spawn(f func()) {
	s.track()
	go func() {
		defer s.untrack()
		f()
	}()
}

func newStore() *store {
	s := &store{quit: make(chan struct{})}
	s.spawn(s.flusher)
	return s
}

func (s *store) flusher() {
	for {
		select {
		case <-s.quit:
			return
		case <-time.After(10 * time.Millisecond):
			s.flush()
		}
	}
}

func (s *store) flush() {
	s.mu.Lock()
	s.pending = s.pending[:0]
	s.mu.Unlock()
}

func (s *store) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	s.wg.Wait() // want `this goroutine waits on s.wg while holding s.mu .*but flusher, which calls Done .*first locks .*mu`
}

// The fix: stop waits without the lock.
type storeOK struct {
	mu      sync.Mutex
	pending []string
	wg      sync.WaitGroup
	quit    chan struct{}
}

func (s *storeOK) track()   { s.wg.Add(1) }
func (s *storeOK) untrack() { s.wg.Done() }

func (s *storeOK) spawn(f func()) {
	s.track()
	go func() {
		defer s.untrack()
		f()
	}()
}

func newStoreOK() *storeOK {
	s := &storeOK{quit: make(chan struct{})}
	s.spawn(s.flusher)
	return s
}

func (s *storeOK) flusher() {
	for {
		select {
		case <-s.quit:
			return
		case <-time.After(10 * time.Millisecond):
			s.mu.Lock()
			s.pending = s.pending[:0]
			s.mu.Unlock()
		}
	}
}

func (s *storeOK) stop() {
	close(s.quit)
	s.wg.Wait()
}

// Look-alike: the flusher takes a lock of its own, not the one stop
// holds while it waits.
type storeOwn struct {
	mu      sync.Mutex
	fmu     sync.Mutex
	pending []string
	wg      sync.WaitGroup
	quit    chan struct{}
}

func (s *storeOwn) track()   { s.wg.Add(1) }
func (s *storeOwn) untrack() { s.wg.Done() }

func (s *storeOwn) spawn(f func()) {
	s.track()
	go func() {
		defer s.untrack()
		f()
	}()
}

func newStoreOwn() *storeOwn {
	s := &storeOwn{quit: make(chan struct{})}
	s.spawn(s.flusher)
	return s
}

func (s *storeOwn) flusher() {
	for {
		select {
		case <-s.quit:
			return
		case <-time.After(10 * time.Millisecond):
			s.fmu.Lock()
			s.pending = s.pending[:0]
			s.fmu.Unlock()
		}
	}
}

func (s *storeOwn) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.quit)
	s.wg.Wait()
}
