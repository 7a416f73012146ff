package dev

import (
	"errors"
	"sync"
)

// Upstream: kyverno/kyverno#15403
//
// A cache hit returns with the read lock held; the miss releases it and
// returns its entry from under a deferred Unlock. The two returns look
// alike to callers, who cannot know to unlock.
type ImageCache struct {
	sync.RWMutex
	list map[string][]byte
}

var errFetch = errors.New("fetch failed")

func NewImageCache() *ImageCache { return &ImageCache{list: map[string][]byte{}} }

func (c *ImageCache) Get(image string) ([]byte, error) {
	c.RLock()
	if data, ok := c.list[image]; ok {
		return data, nil // want `Get returns here with c.RWMutex still locked`
	}
	c.RUnlock()
	if image == "" {
		return nil, errFetch
	}
	data := []byte(image)
	c.Lock()
	defer c.Unlock()
	c.list[image] = data
	return data, nil
}

// GetFixed is the fix.
func (c *ImageCache) GetFixed(image string) ([]byte, error) {
	c.RLock()
	if data, ok := c.list[image]; ok {
		c.RUnlock()
		return data, nil
	}
	c.RUnlock()
	data := []byte(image)
	c.Lock()
	defer c.Unlock()
	c.list[image] = data
	return data, nil
}

// Peek is the variant with no results: a plain early return.
func (c *ImageCache) Peek(image string) {
	c.RLock()
	if len(c.list) == 0 {
		return // want `Peek returns here with c.RWMutex still locked`
	}
	defer c.RUnlock()
	_ = c.list[image]
}

// TryHold is the look-alike lock helper: it tells its caller whether it
// returns holding the lock, and callers outside the package may unlock.
func (c *ImageCache) TryHold(image string) bool {
	c.Lock()
	if _, ok := c.list[image]; ok {
		return true
	}
	defer c.Unlock()
	return false
}
