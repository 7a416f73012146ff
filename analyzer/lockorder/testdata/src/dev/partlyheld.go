package dev

import "sync"

// Upstream: dedis/cothority#1454
//
// A service's close locks its closed flag's mutex and unlocks it only
// inside `if !s.closed`: a second close falls off the end of the function
// with the mutex held, and every later request, which checks the flag
// under that mutex, waits forever. One return, reached with the lock held
// on one path and released on the other. Fix: an else branch unlocks.
type closingService struct {
	closedMu sync.Mutex
	closed   bool
	working  sync.WaitGroup
}

func (s *closingService) start() bool {
	s.closedMu.Lock()
	defer s.closedMu.Unlock()
	if s.closed {
		return false
	}
	s.working.Add(1)
	return true
}

func (s *closingService) Close() {
	s.closedMu.Lock()
	if !s.closed {
		s.closed = true
		s.closedMu.Unlock()
		s.working.Wait()
	}
} // want `Close returns here with s.closedMu still locked \(locked at line \d+\), while the path through the Unlock at line \d+ leaves it unlocked`

// CloseFixed unlocks on both paths.
func (s *closingService) CloseFixed() {
	s.closedMu.Lock()
	if !s.closed {
		s.closed = true
		s.closedMu.Unlock()
		s.working.Wait()
	} else {
		s.closedMu.Unlock()
	}
}

// A variant: a read lock, released in one case of a switch only.
type modeTable struct {
	mu    sync.RWMutex
	modes map[string]int
	hits  int
}

func (t *modeTable) touch(name string) {
	t.mu.RLock()
	switch t.modes[name] {
	case 0:
		t.mu.RUnlock()
		t.bump()
	case 1:
		t.hits++
		t.mu.RUnlock()
	case 2:
		t.hits--
	}
} // want `touch returns here with t.mu still locked`

func (t *modeTable) bump() {
	t.mu.Lock()
	t.hits++
	t.mu.Unlock()
}

// The look-alikes: the lock is taken and released under the same test of
// a field (not on every path to the return), or a deferred function
// literal releases what is left.
type lazyLocked struct {
	mu     sync.Mutex
	shared bool
	n      int
}

func (l *lazyLocked) inc() {
	if l.shared {
		l.mu.Lock()
	}
	l.n++
	if l.shared {
		l.mu.Unlock()
	}
}

func (l *lazyLocked) add(k int) {
	l.mu.Lock()
	unlocked := false
	defer func() {
		if !unlocked {
			l.mu.Unlock()
		}
	}()
	if k < 0 {
		l.mu.Unlock()
		unlocked = true
		return
	}
	l.n += k
}
