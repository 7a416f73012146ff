// Package fixed is the fixed version of cond/xsync_10: the resizer clears
// the flag and broadcasts under resizeMu, so a waiter is either parked in
// Wait or sees the flag cleared.
package fixed

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
		m.resizeCond.Wait()
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
	m.resizeMu.Lock()
	m.resizing.Store(0)
	m.resizeCond.Broadcast()
	m.resizeMu.Unlock()
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
