// Package xmap is another package's locked map for the shapes kernels:
// Each calls its callback with the map's read lock held, and the fact
// lockorder exports for Each says so.
package xmap

import "sync"

// Map is a map guarded by a read-write mutex.
type Map struct {
	mu sync.RWMutex
	m  map[string]int
}

// New returns an empty Map.
func New() *Map { return &Map{m: map[string]int{}} }

// Each calls cb for every entry, holding the read lock.
func (m *Map) Each(cb func(k string, v int)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, v := range m.m {
		cb(k, v)
	}
}

// Delete removes k under the write lock.
func (m *Map) Delete(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, k)
}

// Keys returns the keys, copied under the read lock.
func (m *Map) Keys() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var ks []string
	for k := range m.m {
		ks = append(ks, k)
	}
	return ks
}
