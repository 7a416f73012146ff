package dev

import "sync"

// Upstream: hashicorp/nomad#6082 (the same rule through the standard
// library: sync.WaitGroup.Go runs the function it is given on a new
// goroutine and calls Done when it returns)
//
// An index refreshes its entries on a group of goroutines and waits for
// the group while it holds its lock; each goroutine records its result
// under that lock, so none returns and Wait never does. Fix: the index
// waits before it takes the lock.
type shardIndex struct {
	mu      sync.Mutex
	entries []string
	sizes   map[string]int
}

func (x *shardIndex) record(name string, n int) {
	x.mu.Lock()
	x.sizes[name] = n
	x.mu.Unlock()
}

func (x *shardIndex) refresh() {
	x.mu.Lock()
	defer x.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range x.entries {
		wg.Go(func() { x.record(e, len(e)) })
	}
	wg.Wait() // want `this goroutine waits on wg while holding x.mu .*but a function literal in refresh, which calls Done .*first locks x.mu`
}

// The fix: the group is waited for before the lock is taken.
func (x *shardIndex) refreshOK() {
	var wg sync.WaitGroup
	for _, e := range x.entries {
		wg.Go(func() { x.record(e, len(e)) })
	}
	wg.Wait()
	x.mu.Lock()
	x.entries = nil
	x.mu.Unlock()
}

// A variant written differently: the group is a field, the function is a
// method value, and the lock is a read-write lock the method writes.
type mirrorSet struct {
	mu    sync.RWMutex
	group sync.WaitGroup
	last  int
}

func (m *mirrorSet) pull() {
	m.mu.Lock()
	m.last++
	m.mu.Unlock()
}

func (m *mirrorSet) sync() {
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.group.Go(m.pull)
	m.group.Wait() // want `this goroutine waits on m.group while holding m.mu .*but pull, which calls Done .*first locks m.mu`
}

// Look-alike negatives: the function takes another lock; a function
// not known here (a parameter) needs nothing as far as this pass knows.
type tagSet struct {
	mu   sync.Mutex
	tmu  sync.Mutex
	tags []string
}

func (t *tagSet) add(s string) {
	t.tmu.Lock()
	t.tags = append(t.tags, s)
	t.tmu.Unlock()
}

func (t *tagSet) addAll(ss []string, each func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Go(func() { t.add(s) })
	}
	wg.Go(each)
	wg.Wait()
}
