// Package bug is a held-out kernel (issue 14): a concurrent map whose
// writers wait on a sync.Cond while a resize is in progress, and whose
// resizer clears the in-progress flag and broadcasts without holding the
// Cond's lock, so a writer that checked the flag just before can miss the
// broadcast and wait forever.
//
// Upstream: puzpuzpuz/xsync#10 ("Fix sync.Cond misuse in Map resize")
// Round: 5
//
// Bug: waitForResize takes resizeMu and, while the resizing flag is set,
// waits on resizeCond. resize stores the new table, clears the flag with
// an atomic store and calls Broadcast, all without resizeMu. A writer can
// read the flag as set, and before it is parked in Wait the resizer
// clears the flag and broadcasts to nobody; the writer then waits for a
// broadcast that will never come, and every later writer on the map
// queues behind it. The PR says only that the misuse "could lead to all
// goroutines falling asleep"; the interleaving and the fix are our
// reading of it, on our reduction of the map.
//
// Fix: resize clears the flag and broadcasts with resizeMu held.
package bug

import (
	"sync"
	"sync/atomic"
)

type table struct {
	buckets []*sync.Map
}

// Map is a concurrent hash map.
type Map struct {
	tbl        atomic.Pointer[table]
	resizing   atomic.Int64
	resizeMu   sync.Mutex
	resizeCond sync.Cond
	size       atomic.Int64
}

// NewMap returns an empty map.
func NewMap() *Map {
	m := &Map{}
	m.resizeCond.L = &m.resizeMu
	t := &table{buckets: make([]*sync.Map, 8)}
	for i := range t.buckets {
		t.buckets[i] = new(sync.Map)
	}
	m.tbl.Store(t)
	return m
}

func (m *Map) resizeInProgress() bool { return m.resizing.Load() == 1 }

func (m *Map) waitForResize() {
	m.resizeMu.Lock()
	for m.resizeInProgress() {
		m.resizeCond.Wait() // heldout:site
	}
	m.resizeMu.Unlock()
}

func (m *Map) resize() {
	if !m.resizing.CompareAndSwap(0, 1) {
		m.waitForResize()
		return
	}
	old := m.tbl.Load()
	nt := &table{buckets: make([]*sync.Map, 2*len(old.buckets))}
	for i := range nt.buckets {
		nt.buckets[i] = new(sync.Map)
	}
	for _, b := range old.buckets {
		b.Range(func(k, v any) bool {
			nt.buckets[hash(k.(string))%uint64(len(nt.buckets))].Store(k, v)
			return true
		})
	}
	m.tbl.Store(nt)
	m.resizing.Store(0)      // heldout:site
	m.resizeCond.Broadcast() // heldout:site
}

func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Store sets key to value.
func (m *Map) Store(key string, value any) {
	if m.resizeInProgress() {
		m.waitForResize()
	}
	t := m.tbl.Load()
	t.buckets[hash(key)%uint64(len(t.buckets))].Store(key, value)
	if m.size.Add(1) > int64(4*len(t.buckets)) {
		m.resize()
	}
}
