// Package fixed is the fixed version of doublelock/wazero_998: the engine
// closes the cached content, releasing the cache's read lock, before it
// deletes a stale entry.
package fixed

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
	fc.mux.Lock()
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

	var staleCache bool
	code, staleCache, err = deserializeCodes(e.wazeroVersion, cached)
	// Release the cache's read lock before a stale entry is deleted.
	_ = cached.Close()
	if err != nil {
		hit = false
		return
	} else if staleCache {
		return nil, false, e.fileCache.Delete(key)
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
