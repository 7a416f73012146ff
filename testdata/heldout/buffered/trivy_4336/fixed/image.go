// Package fixed is the fixed version of buffered/trivy_4336: done and
// errCh are buffered to the number of layers, so a failed layer's
// goroutine sends its error, releases its semaphore slot and returns.
package fixed

import (
	"context"
	"fmt"
)

// Weighted is a counting semaphore with context-aware Acquire.
type Weighted struct {
	slots chan struct{}
}

// NewWeighted returns a semaphore of n slots.
func NewWeighted(n int64) *Weighted {
	return &Weighted{slots: make(chan struct{}, n)}
}

// Acquire takes n slots, or gives up when ctx is done.
func (w *Weighted) Acquire(ctx context.Context, n int64) error {
	for i := int64(0); i < n; i++ {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			for ; i > 0; i-- {
				<-w.slots
			}
			return ctx.Err()
		}
	}
	return nil
}

// Release gives back n slots.
func (w *Weighted) Release(n int64) {
	for i := int64(0); i < n; i++ {
		<-w.slots
	}
}

const defaultSize = 5

// NewSemaphore returns the layer limiter for a scan: one slot in slow mode.
func NewSemaphore(slow bool) *Weighted {
	if slow {
		return NewWeighted(1)
	}
	return NewWeighted(defaultSize)
}

// OS is the operating system found in a layer.
type OS struct {
	Family string
	Name   string
}

// BlobInfo is what the analyzers found in one layer.
type BlobInfo struct {
	DiffID   string
	OS       OS
	Packages []string
}

// LayerInfo names one layer of the image.
type LayerInfo struct {
	DiffID    string
	CreatedBy string
}

// ArtifactCache stores analysed layers.
type ArtifactCache interface {
	MissingBlobs(artifactID string, blobIDs []string) (bool, []string, error)
	PutBlob(blobID string, info BlobInfo) error
	PutArtifact(artifactID string, os OS) error
}

// LayerAnalyzer walks one uncompressed layer.
type LayerAnalyzer interface {
	AnalyzeLayer(ctx context.Context, diffID string) (BlobInfo, error)
}

// Option is the scan's configuration.
type Option struct {
	Slow bool
}

// Artifact is one container image being scanned.
type Artifact struct {
	cache          ArtifactCache
	analyzer       LayerAnalyzer
	artifactOption Option
}

// NewArtifact returns an image artifact.
func NewArtifact(c ArtifactCache, a LayerAnalyzer, opt Option) Artifact {
	return Artifact{cache: c, analyzer: a, artifactOption: opt}
}

// Inspect analyses the layers missing from the cache.
func (a Artifact) Inspect(ctx context.Context, imageKey string, layers []LayerInfo) error {
	var keys []string
	layerKeyMap := make(map[string]LayerInfo)
	for _, l := range layers {
		keys = append(keys, l.DiffID)
		layerKeyMap[l.DiffID] = l
	}
	missingImage, missingLayers, err := a.cache.MissingBlobs(imageKey, keys)
	if err != nil {
		return fmt.Errorf("unable to get missing layers: %w", err)
	}
	missingImageKey := ""
	if missingImage {
		missingImageKey = imageKey
	}
	if err := a.inspect(ctx, missingImageKey, missingLayers, layerKeyMap); err != nil {
		return fmt.Errorf("analyze error: %w", err)
	}
	return nil
}

func (a Artifact) inspect(ctx context.Context, missingImage string, layerKeys []string, layerKeyMap map[string]LayerInfo) error {
	done := make(chan struct{}, len(layerKeys))
	errCh := make(chan error, len(layerKeys))
	limit := NewSemaphore(a.artifactOption.Slow)

	var osFound OS
	for _, k := range layerKeys {
		if err := limit.Acquire(ctx, 1); err != nil {
			return fmt.Errorf("semaphore acquire: %w", err)
		}

		go func(ctx context.Context, layerKey string) {
			defer func() {
				limit.Release(1)
				done <- struct{}{}
			}()

			layer := layerKeyMap[layerKey]

			layerInfo, err := a.inspectLayer(ctx, layer)
			if err != nil {
				errCh <- fmt.Errorf("failed to analyze layer (%s): %w", layer.DiffID, err)
				return
			}
			if err = a.cache.PutBlob(layerKey, layerInfo); err != nil {
				errCh <- fmt.Errorf("failed to store layer: %s in cache: %w", layerKey, err)
				return
			}
			if layerInfo.OS != (OS{}) {
				osFound = layerInfo.OS
			}
		}(ctx, k)
	}

	for range layerKeys {
		select {
		case <-done:
		case err := <-errCh:
			return err
		case <-ctx.Done():
			return fmt.Errorf("timeout: %w", ctx.Err())
		}
	}

	if missingImage != "" {
		if err := a.cache.PutArtifact(missingImage, osFound); err != nil {
			return fmt.Errorf("unable to analyze config: %w", err)
		}
	}

	return nil
}

func (a Artifact) inspectLayer(ctx context.Context, layer LayerInfo) (BlobInfo, error) {
	info, err := a.analyzer.AnalyzeLayer(ctx, layer.DiffID)
	if err != nil {
		return BlobInfo{}, fmt.Errorf("analyze layer %s: %w", layer.DiffID, err)
	}
	info.DiffID = layer.DiffID
	return info, nil
}
