// Package bug is a held-out kernel (issue 14): wazero's file compilation
// cache guards its directory with an RWMutex. Get takes the read lock and,
// on a hit, hands it over to the returned ReadCloser, whose Close releases
// it. The compiler engine defers that Close, reads the cached header and,
// when the entry was written by another wazero version, deletes it with
// fileCache.Delete, which takes the write lock, while the same goroutine
// still holds the read lock through the unclosed content: CompileModule
// hangs the first time a cache from an older version is met.
//
// Upstream: wazero/wazero#998 ("cache: fixes deadlock in version mismatch", fixes wazero/wazero#977)
// Round: 16
//
// Bug: fileCache (Get with the lock handed to fileReadCloser, Close,
// Add, Delete) follows internal/filecache/file_cache.go; the engine's
// getCodesFromCache and the header check follow the compiler's
// engine_cache.go before the PR. Files are reduced to an in-memory map
// and the compiled code to the bytes after the header; that the engine
// closed the content by a deferred Close is our reduction.
//
// Fix: the engine closes the cached content, releasing the read lock,
// before it deletes the stale entry.
package bug

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// Key names one compiled module.
type Key [32]byte

// Cache stores compiled modules across runtimes.
type Cache interface {
	Get(key Key) (content io.ReadCloser, ok bool, err error)
	Add(key Key, content io.Reader) error
	Delete(key Key) error
}

type fileCache struct {
	mux   sync.RWMutex
	files map[Key][]byte
}

func newFileCache() *fileCache {
	return &fileCache{files: make(map[Key][]byte)}
}

type fileReadCloser struct {
	*bytes.Reader
	fc *fileCache
}

// Get returns the entry for key; on a hit the read lock stays held until
// the content is closed.
func (fc *fileCache) Get(key Key) (content io.ReadCloser, ok bool, err error) {
	fc.mux.RLock()
	unlock := fc.mux.RUnlock
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()

	b, exists := fc.files[key]
	if !exists {
		return nil, false, nil
	}
	// Unlock is done inside content.Close() at the call site.
	unlock = nil
	return &fileReadCloser{Reader: bytes.NewReader(b), fc: fc}, true, nil
}

// Close releases the read lock taken by Get.
func (f *fileReadCloser) Close() error {
	f.fc.mux.RUnlock()
	return nil
}

// Add stores content under key.
func (fc *fileCache) Add(key Key, content io.Reader) error {
	fc.mux.Lock()
	defer fc.mux.Unlock()
	b, err := io.ReadAll(content)
	if err != nil {
		return err
	}
	fc.files[key] = b
	return nil
}

// Delete removes the entry for key.
func (fc *fileCache) Delete(key Key) error {
	fc.mux.Lock() // heldout:site
	defer fc.mux.Unlock()
	delete(fc.files, key)
	return nil
}

const magic = "WAZERO"

func serializeCodes(version string, code []byte) io.Reader {
	buf := bytes.NewBufferString(magic)
	buf.WriteByte(byte(len(version)))
	buf.WriteString(version)
	buf.Write(code)
	return buf
}

func deserializeCodes(version string, r io.Reader) (code []byte, staleCache bool, err error) {
	header := make([]byte, len(magic)+1)
	if _, err = io.ReadFull(r, header); err != nil {
		return nil, false, err
	}
	if string(header[:len(magic)]) != magic {
		return nil, false, errors.New("invalid magic number")
	}
	v := make([]byte, header[len(magic)])
	if _, err = io.ReadFull(r, v); err != nil {
		return nil, false, err
	}
	if string(v) != version {
		return nil, true, nil
	}
	code, err = io.ReadAll(r)
	return code, false, err
}

type engine struct {
	wazeroVersion string
	fileCache     Cache
}

func (e *engine) getCodesFromCache(key Key) (code []byte, hit bool, err error) {
	if e.fileCache == nil {
		return
	}
	var cached io.ReadCloser
	cached, hit, err = e.fileCache.Get(key)
	if !hit || err != nil {
		return
	}
	defer cached.Close()

	var staleCache bool
	code, staleCache, err = deserializeCodes(e.wazeroVersion, cached)
	if err != nil {
		hit = false
		return
	} else if staleCache {
		return nil, false, e.fileCache.Delete(key) // heldout:site
	}
	return code, true, nil
}

// CompileModule uses the cached code for key when it was written by this
// version, and compiles and caches it otherwise.
func (e *engine) CompileModule(key Key, compile func() []byte) ([]byte, error) {
	code, hit, err := e.getCodesFromCache(key)
	if err != nil {
		return nil, err
	}
	if hit {
		return code, nil
	}
	code = compile()
	if err := e.fileCache.Add(key, serializeCodes(e.wazeroVersion, code)); err != nil {
		return nil, err
	}
	return code, nil
}

// Upgrade compiles a module whose cache entry an older version wrote.
func Upgrade() ([]byte, error) {
	fc := newFileCache()
	var key Key
	_ = fc.Add(key, serializeCodes("v1.0.0-pre.5", []byte{0x01}))
	e := &engine{wazeroVersion: "v1.0.0-pre.6", fileCache: fc}
	return e.CompileModule(key, func() []byte { return []byte{0x02} })
}
