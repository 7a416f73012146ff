package s27locks

import "sync"

// Lock striping: a map split in stripes, each with its lock in a slice.
// A background pass read-locks a stripe and then locks each series in it;
// garbage collection locks a series and then write-locks its stripe.
type series struct {
	sync.Mutex
	ref  int
	dead bool
}

type stripes struct {
	size   int
	series []map[int]*series
	locks  []sync.RWMutex
}

func (s *stripes) gc() {
	for i := 0; i < s.size; i++ {
		for _, sr := range s.series[i] {
			s.drop(sr)
		}
	}
}

func (s *stripes) drop(sr *series) {
	sr.Lock()
	defer sr.Unlock()
	j := sr.ref & (s.size - 1)
	s.locks[j].Lock() // want `lock order inversion by lock class: drop locks sr.Mutex \(line \d+\) then s.locks\[…\] here`
	delete(s.series[j], sr.ref)
	s.locks[j].Unlock()
	sr.dead = true
}

func (s *stripes) scan(i int) int {
	s.locks[i].RLock()
	defer s.locks[i].RUnlock()
	n := 0
	for _, sr := range s.series[i] {
		sr.Lock()
		if !sr.dead {
			n++
		}
		sr.Unlock()
	}
	return n
}

// Look-alike: stripes and their entries taken in one order everywhere
// (stripe, then entry).
type entry struct {
	mu sync.Mutex
	n  int
}

type table struct {
	locks   [8]sync.Mutex
	entries [8]map[int]*entry
}

func (t *table) bump(k int) {
	i := k & 7
	t.locks[i].Lock()
	defer t.locks[i].Unlock()
	if e := t.entries[i][k]; e != nil {
		e.mu.Lock()
		e.n++
		e.mu.Unlock()
	}
}

func (t *table) sum(i int) int {
	t.locks[i].Lock()
	defer t.locks[i].Unlock()
	n := 0
	for _, e := range t.entries[i] {
		e.mu.Lock()
		n += e.n
		e.mu.Unlock()
	}
	return n
}
