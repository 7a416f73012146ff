// Package fixed is the fixed version of lockorder/gotools_129:
// invalidateContent locks in the loading path's order (view, metadata
// cache, handle), and the watch map calls callbacks without its mutex.
package fixed

import (
	"context"
	"sync"
)

// URI names a file.
type URI string

// ---- watch map ----

type watcher struct {
	id       uint64
	callback func()
}

// WatchMap calls the callbacks registered for a key when it is notified.
type WatchMap struct {
	mu       sync.Mutex
	nextID   uint64
	watchers map[URI][]watcher
}

// NewWatchMap returns an empty map.
func NewWatchMap() *WatchMap {
	return &WatchMap{watchers: map[URI][]watcher{}}
}

// Watch registers callback for key and returns a func that removes it.
func (w *WatchMap) Watch(key URI, callback func()) func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := w.nextID
	w.nextID++
	w.watchers[key] = append(w.watchers[key], watcher{id: id, callback: callback})
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		list := w.watchers[key]
		for i, e := range list {
			if e.id == id {
				w.watchers[key] = append(list[:i:i], list[i+1:]...)
				return
			}
		}
	}
}

// Notify calls the callbacks registered for key.
func (w *WatchMap) Notify(key URI) {
	// Copy the callbacks so that they run without w.mu: a callback may
	// take locks whose holders call Watch.
	w.mu.Lock()
	entries := append([]watcher(nil), w.watchers[key]...)
	w.mu.Unlock()
	for _, entry := range entries {
		entry.callback()
	}
}

// ---- session, view, files ----

type session struct {
	filesWatchMap *WatchMap

	overlayMu sync.Mutex
	overlays  map[URI][]byte
}

// openOverlay records an editor buffer for uri and tells the files.
func (s *session) openOverlay(uri URI, data []byte) {
	s.overlayMu.Lock()
	s.overlays[uri] = data
	s.overlayMu.Unlock()
	s.filesWatchMap.Notify(uri)
}

func (s *session) readFile(uri URI) []byte {
	s.overlayMu.Lock()
	defer s.overlayMu.Unlock()
	return s.overlays[uri]
}

type metadata struct {
	id      string
	imports []URI
}

type metadataCache struct {
	mu       sync.Mutex
	packages map[URI]*metadata
}

type view struct {
	session *session

	mu             sync.Mutex
	files          map[URI]*goFile
	contentChanges map[URI]bool

	mcache *metadataCache
}

type fileHandle struct {
	uri  URI
	data []byte
}

type goFile struct {
	view *view
	uri  URI

	handleMu sync.Mutex
	handle   *fileHandle

	pkgs []string
}

// getFile returns the file for uri, creating it and watching its
// content; the caller holds v.mu.
func (v *view) getFile(uri URI) *goFile {
	if f, ok := v.files[uri]; ok {
		return f
	}
	f := &goFile{view: v, uri: uri}
	v.files[uri] = f
	v.session.filesWatchMap.Watch(uri, func() {
		f.invalidateContent()
	})
	return f
}

// Handle returns the file's content handle.
func (f *goFile) Handle(ctx context.Context) *fileHandle {
	f.handleMu.Lock()
	defer f.handleMu.Unlock()
	if f.handle == nil {
		f.handle = &fileHandle{uri: f.uri, data: f.view.session.readFile(f.uri)}
	}
	return f.handle
}

// invalidateContent drops the file's handle and the packages built from
// it; the watch map calls it when the file changes.
func (f *goFile) invalidateContent() {
	// Same order as GetPackages and loadParseTypecheck: view, metadata
	// cache, then the file's handle.
	f.view.mu.Lock()
	defer f.view.mu.Unlock()
	f.view.mcache.mu.Lock()
	defer f.view.mcache.mu.Unlock()
	f.handleMu.Lock()
	defer f.handleMu.Unlock()

	delete(f.view.mcache.packages, f.uri)
	f.view.contentChanges[f.uri] = true
	f.handle = nil
	f.pkgs = nil
}

// GetPackages type-checks the packages f belongs to.
func (f *goFile) GetPackages(ctx context.Context) []string {
	f.view.mu.Lock()
	defer f.view.mu.Unlock()
	return f.view.loadParseTypecheck(ctx, f)
}

// loadParseTypecheck loads f's metadata and reads the files it imports;
// the caller holds v.mu.
func (v *view) loadParseTypecheck(ctx context.Context, f *goFile) []string {
	v.mcache.mu.Lock()
	defer v.mcache.mu.Unlock()

	m, ok := v.mcache.packages[f.uri]
	if !ok {
		m = &metadata{id: string(f.uri)}
		v.mcache.packages[f.uri] = m
	}
	for _, imp := range m.imports {
		impFile := v.getFile(imp)
		_ = impFile.Handle(ctx)
	}
	_ = f.Handle(ctx)
	delete(v.contentChanges, f.uri)
	f.pkgs = []string{m.id}
	return f.pkgs
}
