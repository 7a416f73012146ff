// Package fixed is the fixed version of rwr/distribution_2599: GetContent
// leaves the locking to Reader, so no goroutine takes the driver's read
// lock twice.
package fixed

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
)

// PathNotFoundError is returned for a path with nothing stored at it.
type PathNotFoundError struct{ Path string }

func (e PathNotFoundError) Error() string { return "path not found: " + e.Path }

// FileInfo describes one stored file.
type FileInfo struct {
	Path string
	Size int64
}

type driver struct {
	files map[string][]byte
	mutex sync.RWMutex
}

// New returns an empty in-memory driver.
func New() *driver {
	return &driver{files: make(map[string][]byte)}
}

// Name returns the driver's name.
func (d *driver) Name() string { return "inmemory" }

// GetContent returns the whole content stored at path.
func (d *driver) GetContent(ctx context.Context, path string) ([]byte, error) {
	rc, err := d.Reader(ctx, path, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// PutContent stores contents at path, replacing what was there.
func (d *driver) PutContent(ctx context.Context, path string, contents []byte) error {
	d.mutex.Lock()
	defer d.mutex.Unlock()

	d.files[path] = append([]byte(nil), contents...)
	return nil
}

// Reader returns a reader of the content at path from offset on.
func (d *driver) Reader(ctx context.Context, path string, offset int64) (io.ReadCloser, error) {
	d.mutex.RLock()
	defer d.mutex.RUnlock()

	if offset < 0 {
		return nil, fmt.Errorf("invalid offset %d for %s", offset, path)
	}
	data, ok := d.files[path]
	if !ok {
		return nil, PathNotFoundError{Path: path}
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return io.NopCloser(bytes.NewReader(data[offset:])), nil
}

// Stat describes the file at path.
func (d *driver) Stat(ctx context.Context, path string) (FileInfo, error) {
	d.mutex.RLock()
	defer d.mutex.RUnlock()

	data, ok := d.files[path]
	if !ok {
		return FileInfo{}, PathNotFoundError{Path: path}
	}
	return FileInfo{Path: path, Size: int64(len(data))}, nil
}

// Serve pushes a manifest while another request reads it back.
func Serve(ctx context.Context) ([]byte, error) {
	d := New()
	_ = d.PutContent(ctx, "/manifests/latest", []byte("v1"))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = d.PutContent(ctx, "/manifests/latest", []byte("v2"))
	}()
	content, err := d.GetContent(ctx, "/manifests/latest")
	wg.Wait()
	return content, err
}
