package real

import (
	"errors"
	"sync"
)

// A WaitGroup Add made only when a lookup succeeds, and a return made
// only when it fails: no path runs both (the compute service of
// microsoft/hcsshim#49's kernel). Must stay silent.
type callbackReg struct {
	fn  func(int)
	arg int
}

type callbackService struct {
	mu        sync.Mutex
	callbacks map[int]callbackReg
	running   sync.WaitGroup
}

func (s *callbackService) notify(h int) {
	s.mu.Lock()
	r, ok := s.callbacks[h]
	if ok {
		s.running.Add(1)
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	go func() {
		defer s.running.Done()
		r.fn(r.arg)
	}()
}

func (s *callbackService) unregister(h int) {
	s.mu.Lock()
	delete(s.callbacks, h)
	s.mu.Unlock()
	s.running.Wait()
}

// The same condition tested the same way twice: the goroutine is started
// exactly when the Add was made. Must stay silent.
type tracedRunner struct {
	wg   sync.WaitGroup
	work func()
}

func (t *tracedRunner) run(track bool) error {
	if track {
		t.wg.Add(1)
	}
	if track {
		go func() {
			defer t.wg.Done()
			t.work()
		}()
	} else {
		t.work()
	}
	return nil
}

func (t *tracedRunner) wait() { t.wg.Wait() }

// A return guarded by another condition is still a return after the Add.
type checkedService struct {
	mu        sync.Mutex
	callbacks map[int]callbackReg
	closed    bool
	running   sync.WaitGroup
}

var errServiceClosed = errors.New("closed")

func (s *checkedService) notify(h int) error {
	s.mu.Lock()
	r, ok := s.callbacks[h]
	if ok {
		s.running.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return at line \d+`
	}
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errServiceClosed
	}
	if !ok {
		return nil
	}
	go func() {
		defer s.running.Done()
		r.fn(r.arg)
	}()
	return nil
}

func (s *checkedService) unregister(h int) {
	s.mu.Lock()
	delete(s.callbacks, h)
	s.mu.Unlock()
	s.running.Wait()
}
