// Package stuckobj holds objects made by a constructor whose WaitGroup
// field a method raises (Add) and, on some path, leaves raised: a later
// Wait in another method blocks forever (stuckwgleak.go). The sync
// package documents that Wait blocks until the counter is zero, and that
// each Add must be matched by a Done.
package stuckobj

import (
	"errors"
	"sync"
	"time"
)

var errEmpty = errors.New("empty")

// Batch leaks: Flush counts itself in the group, but its early returns
// skip the Done, so Stop's Wait never returns after one of them.
type Batch struct {
	mu    sync.Mutex
	items []int
	stop  chan struct{}
	wg    sync.WaitGroup
}

func NewBatch() *Batch { return &Batch{stop: make(chan struct{})} }

func (b *Batch) Start(d time.Duration) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-b.stop:
				return
			}
		}
	}()
}

func (b *Batch) Flush() error {
	b.wg.Add(1)
	b.mu.Lock()
	if len(b.items) == 0 {
		b.mu.Unlock()
		return errEmpty // want `this return skips wg.Done`
	}
	b.items = nil
	b.mu.Unlock()
	b.wg.Done()
	return nil
}

// Stop's Wait is the checker's witness (Flush then Stop, census "field:
// witness kept (a group a client left raised)"); the pattern rule's
// report on the return above stands for it.
func (b *Batch) Stop() {
	close(b.stop)
	b.wg.Wait()
}

// FixedBatch defers the Done right after the Add: every path of Flush
// lowers the counter again.
type FixedBatch struct {
	mu    sync.Mutex
	items []int
	stop  chan struct{}
	wg    sync.WaitGroup
}

func NewFixedBatch() *FixedBatch { return &FixedBatch{stop: make(chan struct{})} }

func (b *FixedBatch) Start(d time.Duration) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			select {
			case <-time.After(d):
			case <-b.stop:
				return
			}
		}
	}()
}

func (b *FixedBatch) Flush() error {
	b.wg.Add(1)
	defer b.wg.Done()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.items) == 0 {
		return errEmpty
	}
	b.items = nil
	return nil
}

func (b *FixedBatch) Stop() {
	close(b.stop)
	b.wg.Wait()
}

// EarlyDone calls Done on its early return too.
type EarlyDone struct {
	mu    sync.Mutex
	items []int
	stop  chan struct{}
	wg    sync.WaitGroup
}

func NewEarlyDone() *EarlyDone { return &EarlyDone{stop: make(chan struct{})} }

func (b *EarlyDone) Flush() error {
	b.wg.Add(1)
	b.mu.Lock()
	if len(b.items) == 0 {
		b.mu.Unlock()
		b.wg.Done()
		return errEmpty
	}
	b.items = nil
	b.mu.Unlock()
	b.wg.Done()
	return nil
}

func (b *EarlyDone) Stop() {
	close(b.stop)
	b.wg.Wait()
}

func (b *EarlyDone) Stopped() <-chan struct{} { return b.stop }

// Tracker hands the Done to its caller: Enter raises the counter and
// Leave lowers it, so a Wait after Enter waits for the caller's Leave,
// which the harness does not call.
type Tracker struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewTracker() *Tracker { return &Tracker{stop: make(chan struct{})} }

func (t *Tracker) Enter() { t.wg.Add(1) }

func (t *Tracker) Leave() { t.wg.Done() }

func (t *Tracker) Close() {
	close(t.stop)
	t.wg.Wait()
}

// Pool adds a count that is not a constant: how many Dones balance it is
// not followed.
type Pool struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewPool() *Pool { return &Pool{stop: make(chan struct{})} }

func (p *Pool) Run(jobs []func()) {
	p.wg.Add(len(jobs))
	for _, j := range jobs {
		go func() {
			defer p.wg.Done()
			j()
		}()
	}
}

func (p *Pool) Close() {
	close(p.stop)
	p.wg.Wait()
}

// Starter starts its goroutine on every path after the Add: the counter
// comes back down when the goroutine returns on the stop.
type Starter struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewStarter() *Starter { return &Starter{stop: make(chan struct{})} }

func (s *Starter) Go(f func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		select {
		case <-s.stop:
		default:
			_ = f()
		}
	}()
}

func (s *Starter) Close() {
	close(s.stop)
	s.wg.Wait()
}
