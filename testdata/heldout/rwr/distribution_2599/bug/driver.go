// Package bug is a held-out kernel (issue 14): the registry's in-memory
// storage driver guards its file tree with one RWMutex. GetContent takes
// the read lock and reads the file through the driver's own Reader, which
// takes the read lock again. When a PutContent (or any other writer) asks
// for the write lock between the two RLocks, it waits for GetContent's
// first read lock, and Reader's RLock waits behind the queued writer:
// both goroutines block forever, and with them every later request.
//
// Upstream: distribution/distribution#2599 ("Fix deadlock in the inmemory storage driver")
// Round: 16
//
// Bug: the driver, GetContent, PutContent, Reader and Stat follow
// registry/storage/driver/inmemory/driver.go before the PR; the tree of
// dirs and files is reduced to a map of path to contents, and the storage
// context to context.Context. The PR's trace shows two goroutines in
// RLock, one inside GetContent and one inside Reader called from it.
//
// Fix: GetContent no longer takes the read lock itself and leaves the
// locking to Reader, so one goroutine holds at most one read lock.
package bug

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
	d.mutex.RLock() // heldout:site
	defer d.mutex.RUnlock()

	rc, err := d.Reader(ctx, path, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// PutContent stores contents at path, replacing what was there.
func (d *driver) PutContent(ctx context.Context, path string, contents []byte) error {
	d.mutex.Lock() // heldout:site
	defer d.mutex.Unlock()

	d.files[path] = append([]byte(nil), contents...)
	return nil
}

// Reader returns a reader of the content at path from offset on.
func (d *driver) Reader(ctx context.Context, path string, offset int64) (io.ReadCloser, error) {
	d.mutex.RLock() // heldout:site
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
