// Package k22lru is the LRU of kernel K22b: another package (as
// hashicorp/golang-lru is to keybase/kbfs) whose cache calls the eviction
// callback its constructor was given while holding the cache's lock.
package k22lru

import "sync"

// Cache is a locked LRU of ints.
type Cache struct {
	lock      sync.Mutex
	onEvicted func(k int)
	keys      []int
	size      int
}

// NewWithEvict returns a cache that calls onEvicted for each evicted key.
func NewWithEvict(size int, onEvicted func(k int)) *Cache {
	return &Cache{size: size, onEvicted: onEvicted}
}

// Add adds k, evicting the oldest key when full.
func (c *Cache) Add(k int) {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.keys = append(c.keys, k)
	if len(c.keys) > c.size {
		c.removeOldest()
	}
}

func (c *Cache) removeOldest() {
	k := c.keys[0]
	c.keys = c.keys[1:]
	if c.onEvicted != nil {
		c.onEvicted(k)
	}
}

// Len returns the number of keys.
func (c *Cache) Len() int {
	c.lock.Lock()
	defer c.lock.Unlock()
	return len(c.keys)
}
