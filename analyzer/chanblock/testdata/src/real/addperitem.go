package real

import (
	"errors"
	"sync"
)

// wg.Add counting one per item of the loop that follows, when an
// iteration can skip its item without the matching Done.

// Upstream: php/frankenphp#1890 (a worker restart added the number of
// threads to a "ready" WaitGroup, then skipped a thread already shutting
// down with continue, before the goroutine that calls Done; Wait never
// returned). Fix: Done on the skip path. Reduced in our own words.
type restartable struct {
	mu      sync.Mutex
	stopped bool
	drain   chan struct{}
}

func (r *restartable) tryRestart() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.stopped
}

func (r *restartable) awaitIdle() {}

type threadPool struct {
	members []*restartable
}

func restartAll(pools []*threadPool) {
	var ready sync.WaitGroup
	for _, p := range pools {
		ready.Add(len(p.members)) // want `wg.Add counts one per item of the loop that follows, but an iteration can skip its item \(a branch at line \d+ goes on without starting a goroutine or calling Done\)`
		for _, m := range p.members {
			if !m.tryRestart() {
				continue
			}
			close(m.drain)
			go func(m *restartable) {
				m.awaitIdle()
				ready.Done()
			}(m)
		}
	}
	ready.Wait()
}

func restartAllFixed(pools []*threadPool) {
	var ready sync.WaitGroup
	for _, p := range pools {
		ready.Add(len(p.members))
		for _, m := range p.members {
			if !m.tryRestart() {
				ready.Done()
				continue
			}
			close(m.drain)
			go func(m *restartable) {
				m.awaitIdle()
				ready.Done()
			}(m)
		}
	}
	ready.Wait()
}

// A variant written differently (ours): the WaitGroup is a field waited on
// in another method, the loop indexes the slice, and a failure breaks out
// of the loop, leaving every later item counted.
type fanout struct {
	wg    sync.WaitGroup
	peers []string
	dial  func(string) error
}

func (f *fanout) start() {
	f.wg.Add(len(f.peers)) // want `wg.Add counts one per item of the loop that follows, but an iteration can skip its item`
	for i := 0; i < len(f.peers); i++ {
		if err := f.dial(f.peers[i]); err != nil {
			break
		}
		go func(addr string) {
			defer f.wg.Done()
			_ = addr
		}(f.peers[i])
	}
}

func (f *fanout) wait() { f.wg.Wait() }

// Another (ours): a count taken up front for a range over an int, with a
// skipped index.
func evenWorkers(n int, work func(int)) {
	var wg sync.WaitGroup
	wg.Add(n) // want `wg.Add counts one per item of the loop that follows`
	for i := range n {
		if i%2 == 1 {
			continue
		}
		go func() {
			defer wg.Done()
			work(i)
		}()
	}
	wg.Wait()
}

// Look-alike negatives (ours): the skip gives its count back with a
// negative Add; the skip hands the item to a helper that is passed the
// WaitGroup; and a count for one slice with a loop over another.
func evenWorkersFixed(n int, work func(int)) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range n {
		if i%2 == 1 {
			wg.Add(-1)
			continue
		}
		go func() {
			defer wg.Done()
			work(i)
		}()
	}
	wg.Wait()
}

func finishInline(wg *sync.WaitGroup, s string) error {
	defer wg.Done()
	if s == "" {
		return errors.New("empty")
	}
	return nil
}

func startOrFinish(items []string) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for _, s := range items {
		if len(s) > 8 {
			_ = finishInline(&wg, s)
			continue
		}
		go func(s string) {
			defer wg.Done()
			_ = s
		}(s)
	}
	wg.Wait()
}

func otherSlice(items, extra []string) {
	var wg sync.WaitGroup
	wg.Add(len(items))
	for _, s := range extra {
		if s == "" {
			continue
		}
		_ = s
	}
	for _, s := range items {
		go func(s string) {
			defer wg.Done()
			_ = s
		}(s)
	}
	wg.Wait()
}

// Look-alike negative (ours, after net's resolver test): every item of the
// first loop starts its goroutine; the second loop over the same slice,
// after the Wait, skips items but counts nothing.
func lookupAll(names []string, lookup func(string) bool) int {
	var wg sync.WaitGroup
	ok := make([]bool, len(names))
	wg.Add(len(names))
	for i, n := range names {
		go func() {
			defer wg.Done()
			ok[i] = lookup(n)
		}()
	}
	wg.Wait()
	found := 0
	for i := range names {
		if !ok[i] {
			continue
		}
		found++
	}
	return found
}
