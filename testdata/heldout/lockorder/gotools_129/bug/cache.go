// Package bug is a held-out kernel (issue 14): a language server's file
// cache with two lock-order cycles. Type-checking holds the metadata
// cache's mutex and then a file's handle mutex, while invalidating a
// file's content takes the handle mutex and then the metadata cache's.
// And loading packages holds the view's mutex while it registers file
// watchers (the watch map's mutex), while opening an overlay notifies
// the watchers under the watch map's mutex and the callback,
// invalidateContent, takes the view's mutex.
//
// Upstream: golang/tools#129 ("internal/lsp: fix deadlocks loading lots of files at once", issue golang/go#32910)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR lists both: "loadParseTypecheck() holds the "mcache"
// mutex then eventually acquires the "handleMu" file mutex.
// (*goFile).invalidateContent() acquires the "handleMu" mutex first and
// then the "mcache" mutex", and "(*goFile).GetPackages() holds the view
// mutex and eventually calls (*WatchMap).Watch, which acquires the
// watcher mutex. (*session).openOverlay acquires the watcher mutex as it
// triggers a file's callbacks, and then the callback
// "(*goFile).invalidateContent" acquires the view mutex." The issue's
// stacks show the callback path. Parsing, type checking and metadata are
// reduced to maps; where invalidateContent takes the view's mutex is our
// reading of the stacks.
//
// Fix: invalidateContent takes the view's, the metadata cache's and the
// handle mutex in the order the loading path does, and WatchMap.Notify
// copies the callbacks and calls them without its mutex.
package bug

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
	w.mu.Lock() // heldout:site
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
	w.mu.Lock() // heldout:site
	defer w.mu.Unlock()
	for _, entry := range w.watchers[key] {
		entry.callback() // heldout:site
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
	f.handleMu.Lock() // heldout:site
	defer f.handleMu.Unlock()
	if f.handle == nil {
		f.handle = &fileHandle{uri: f.uri, data: f.view.session.readFile(f.uri)}
	}
	return f.handle
}

// invalidateContent drops the file's handle and the packages built from
// it; the watch map calls it when the file changes.
func (f *goFile) invalidateContent() {
	f.handleMu.Lock() // heldout:site
	defer f.handleMu.Unlock()

	f.view.mcache.mu.Lock() // heldout:site
	delete(f.view.mcache.packages, f.uri)
	f.view.mcache.mu.Unlock()

	f.view.mu.Lock() // heldout:site
	f.view.contentChanges[f.uri] = true
	f.view.mu.Unlock()

	f.handle = nil
	f.pkgs = nil
}

// GetPackages type-checks the packages f belongs to.
func (f *goFile) GetPackages(ctx context.Context) []string {
	f.view.mu.Lock() // heldout:site
	defer f.view.mu.Unlock()
	return f.view.loadParseTypecheck(ctx, f)
}

// loadParseTypecheck loads f's metadata and reads the files it imports;
// the caller holds v.mu.
func (v *view) loadParseTypecheck(ctx context.Context, f *goFile) []string {
	v.mcache.mu.Lock() // heldout:site
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
