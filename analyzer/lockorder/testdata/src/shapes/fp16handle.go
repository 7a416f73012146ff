package shapes

import (
	"bytes"
	"io"
	"sync"
)

// A getter that keeps its read lock on a hit and hands it to the returned
// content, whose Close releases it through a field back to the owner
// (review 16, item 4): a Close before the owner's next write lock
// releases the lock the getter kept. Near misses: no Close, a deferred
// Close, a Close after the write lock.

type blobs struct {
	mu   sync.RWMutex
	data map[string][]byte
}

type blobReader struct {
	*bytes.Reader
	owner *blobs
}

func (r *blobReader) Close() error {
	r.owner.mu.RUnlock()
	return nil
}

// open keeps the read lock on a hit: the deferred unlock is disarmed.
func (b *blobs) open(key string) (io.ReadCloser, bool) {
	b.mu.RLock()
	release := b.mu.RUnlock
	defer func() {
		if release != nil {
			release()
		}
	}()
	v, ok := b.data[key]
	if !ok {
		return nil, false
	}
	release = nil
	return &blobReader{Reader: bytes.NewReader(v), owner: b}, true
}

func (b *blobs) remove(key string) {
	b.mu.Lock()
	delete(b.data, key)
	b.mu.Unlock()
}

type blobStore interface {
	open(key string) (io.ReadCloser, bool)
	remove(key string)
}

// Through the package's interface, closed through io.ReadCloser.
func takeVia(s blobStore, key string) []byte {
	rc, ok := s.open(key)
	if !ok {
		return nil
	}
	v, _ := io.ReadAll(rc)
	rc.Close()
	s.remove(key)
	return v
}

// A static call, closed through a type assertion.
func takeAsserted(b *blobs, key string) int {
	rc, ok := b.open(key)
	if !ok {
		return 0
	}
	n := rc.(*blobReader).Len()
	_ = rc.(*blobReader).Close()
	b.remove(key)
	return n
}

// A static call, closed through io.Closer.
func takeStatic(b *blobs, key string) int {
	rc, ok := b.open(key)
	if !ok {
		return 0
	}
	var c io.Closer = rc
	n, _ := io.Copy(io.Discard, rc)
	c.Close()
	b.remove(key)
	return int(n)
}

func forgetClose(b *blobs, key string) int {
	rc, ok := b.open(key)
	if !ok {
		return 0
	}
	v, _ := io.ReadAll(rc)
	b.remove(key) // want `write-locked inside b.remove`
	return len(v)
}

func deferClose(s blobStore, key string) int {
	rc, ok := s.open(key)
	if !ok {
		return 0
	}
	defer rc.Close()
	v, _ := io.ReadAll(rc)
	s.remove(key) // want `write-locked inside s.remove`
	return len(v)
}

func closeLate(b *blobs, key string) int {
	rc, ok := b.open(key)
	if !ok {
		return 0
	}
	b.remove(key) // want `write-locked inside b.remove`
	rc.Close()
	return 1
}
