package dev

import "sync"

// Upstream: segmentio/stats#194
//
// A tally keeps its counters in a map. Sweeping, it copies the map and
// asks each counter to prune itself; a counter prunes holding its own
// lock and, when it ends up empty, calls the function it was given, which
// takes the tally's lock to forget it. Reading, the tally holds its lock
// and takes each counter's. The counter comes out of a map, so its lock is
// known by class only: the order is by lock class. Fix: the counter calls
// the function after it unlocks.
type tally struct {
	mu       sync.RWMutex
	counters map[string]*counter
}

type counter struct {
	mu     sync.Mutex
	values []int
}

func (c *counter) prune(max int, gone func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.values) > max {
		c.values = c.values[:max]
	}
	if len(c.values) == 0 {
		gone()
	}
}

func (t *tally) read() (n int) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, c := range t.counters {
		c.mu.Lock() // want `lock order inversion by lock class: read locks t.mu .* then t.counters\[…\].mu here, while sweep locks c.mu .* then t.mu`
		n += len(c.values)
		c.mu.Unlock()
	}
	return n
}

func (t *tally) sweep(max int) {
	t.mu.RLock()
	cs := make(map[string]*counter, len(t.counters))
	for k, c := range t.counters {
		cs[k] = c
	}
	t.mu.RUnlock()
	for k, c := range cs {
		c.prune(max, func() {
			t.mu.Lock()
			delete(t.counters, k)
			t.mu.Unlock()
		})
	}
}

// The fix: the function runs after the counter's lock is released.
type tallyOK struct {
	mu       sync.RWMutex
	counters map[string]*counterOK
}

type counterOK struct {
	mu     sync.Mutex
	values []int
}

func (c *counterOK) prune(max int, gone func()) {
	c.mu.Lock()
	if len(c.values) > max {
		c.values = c.values[:max]
	}
	empty := len(c.values) == 0
	c.mu.Unlock()
	if empty {
		gone()
	}
}

func (t *tallyOK) read() (n int) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, c := range t.counters {
		c.mu.Lock()
		n += len(c.values)
		c.mu.Unlock()
	}
	return n
}

func (t *tallyOK) sweep(max int) {
	t.mu.RLock()
	cs := make([]*counterOK, 0, len(t.counters))
	for _, c := range t.counters {
		cs = append(cs, c)
	}
	t.mu.RUnlock()
	for _, c := range cs {
		c.prune(max, func() {
			t.mu.Lock()
			t.counters = nil
			t.mu.Unlock()
		})
	}
}

// A variant written differently: the elements are indexed in a slice
// field, the callee read-locks the element and hands the callback on to a
// helper, and the other order goes through a method of the element.
type shelfSet struct {
	mu   sync.Mutex
	bins []*bin
	seen int
}

type bin struct {
	mu   sync.RWMutex
	size int
}

func (b *bin) visit(fn func(int)) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	apply(fn, b.size)
}

func apply(fn func(int), v int) { fn(v) }

func (b *bin) grow() {
	b.mu.Lock()
	b.size++
	b.mu.Unlock()
}

func (s *shelfSet) count() {
	for i := range s.bins {
		s.bins[i].visit(func(n int) { // want `lock order inversion by lock class: count locks b.mu .* then s.mu inside the function literal \(passed to visit, which calls it holding its locks\) .* here, while growAll locks s.mu .* then b.mu`
			s.mu.Lock()
			s.seen += n
			s.mu.Unlock()
		})
	}
}

func (s *shelfSet) growAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bins {
		b.grow()
	}
}

// Look-alike negative: the callback runs with the element's lock held and
// takes the owner's lock, but nothing takes the two in the other order
// (the owner never locks an element while holding its own lock).
type roster struct {
	mu    sync.Mutex
	slots map[int]*slot
	total int
}

type slot struct {
	mu sync.Mutex
	n  int
}

func (sl *slot) each(fn func(int)) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	fn(sl.n)
}

func (r *roster) sum() {
	r.mu.Lock()
	slots := make([]*slot, 0, len(r.slots))
	for _, sl := range r.slots {
		slots = append(slots, sl)
	}
	r.mu.Unlock()
	for _, sl := range slots {
		sl.each(func(n int) {
			r.mu.Lock()
			r.total += n
			r.mu.Unlock()
		})
	}
}
