// Package bug is a held-out kernel (issue 14): an image-data cache whose Get
// returns a cached entry while still holding the read lock, so the next
// cache miss, which takes the write lock to store its entry, blocks for
// ever.
//
// Upstream: kyverno/kyverno#15403 ("[Bug] No unlock for mutex 'idc.RWMutex' at context.go (kyverno/pkg/imageverification/imagedataloader/context.go)")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: imageContext.Get read-locks the cache and, when the image is found,
// returns the data without RUnlock; the RUnlock after the if is reached
// only on a miss. Each hit leaks a read lock, and the first later miss
// blocks in Lock (as does every writer after it), freezing image
// verification. The issue quotes the block; the fetcher and the data type
// are our reduction.
//
// Fix (kyverno/kyverno#15404): the hit path releases the read lock before
// returning.
package bug

import (
	"context"
	"sync"
)

// ImageData is what the loader knows about an image.
type ImageData struct {
	Image    string
	Digest   string
	Manifest []byte
}

// Fetcher loads image data from a registry.
type Fetcher interface {
	FetchImageData(ctx context.Context, image string) (*ImageData, error)
}

type imageContext struct {
	sync.RWMutex
	f    Fetcher
	list map[string]*ImageData
}

// NewImageContext returns an empty cache in front of f.
func NewImageContext(f Fetcher) *imageContext {
	return &imageContext{f: f, list: make(map[string]*ImageData)}
}

// Get returns the image's data, fetching it on a miss.
func (idc *imageContext) Get(ctx context.Context, image string) (*ImageData, error) {
	idc.RLock()
	if data, found := idc.list[image]; found {
		return data, nil // heldout:site
	}
	idc.RUnlock()

	data, err := idc.f.FetchImageData(ctx, image)
	if err != nil {
		return nil, err
	}
	idc.Lock() // heldout:site
	defer idc.Unlock()
	idc.list[image] = data
	return data, nil
}
