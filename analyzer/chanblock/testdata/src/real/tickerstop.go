package real

import (
	"sync"
	"time"
)

// Upstream: i-love-flamingo/flamingo-commerce#290. A lock keeps its key
// alive with a goroutine that ranges over a ticker's channel, and the
// unlock function it returns only stops the ticker: Stop does not close
// C, so the refresher waits forever, one goroutine per lock taken. Fix:
// unlock also closes a done channel the refresher selects on.
type keyStore interface {
	Extend(key string)
	Delete(key string)
}

func holdKey(s keyStore, key string, every time.Duration) func() {
	t := time.NewTicker(every)
	go func() {
		for range t.C { // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+: Stop does not close the channel`
			s.Extend(key)
		}
	}()
	return func() {
		t.Stop()
		s.Delete(key)
	}
}

func holdKeyFixed(s keyStore, key string, every time.Duration) func() {
	t := time.NewTicker(every)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.Extend(key)
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
		s.Delete(key)
	}
}

// The same mistake written differently: a named worker is handed the
// ticker and loops on a plain receive, and the starter defers the Stop,
// so every call leaves a worker behind.
type tickSampler struct {
	mu    sync.Mutex
	count int
}

func (s *tickSampler) tickWorker(t *time.Ticker) {
	for {
		<-t.C // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
		s.mu.Lock()
		s.count++
		s.mu.Unlock()
	}
}

func (s *tickSampler) sampleFor(d time.Duration) int {
	t := time.NewTicker(d / 10)
	defer t.Stop()
	go s.tickWorker(t)
	time.Sleep(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Look-alike that must stay silent: the loop returns when a stop flag is
// seen, so it has a way out (after Stop it would still wait for a tick
// that never comes, but a loop with an exit is not claimed).
func keepBeating(beat func() bool, every time.Duration) func() {
	t := time.NewTicker(every)
	go func() {
		for range t.C {
			if !beat() {
				return
			}
		}
	}()
	return t.Stop
}

// Look-alike that must stay silent: a process-long ticker loop that
// nothing stops.
func startFlusher(flush func(), every time.Duration) {
	t := time.NewTicker(every)
	go func() {
		for range t.C {
			flush()
		}
	}()
}
