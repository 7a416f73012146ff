// Package fixed is the fixed version of lockheld/kyverno_15403: a cache hit
// releases the read lock before returning.
package fixed

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
		idc.RUnlock()
		return data, nil
	}
	idc.RUnlock()

	data, err := idc.f.FetchImageData(ctx, image)
	if err != nil {
		return nil, err
	}
	idc.Lock()
	defer idc.Unlock()
	idc.list[image] = data
	return data, nil
}
