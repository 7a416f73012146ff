// Package fixed is the fixed version of lockorder/rclone_2811: File never
// calls a Dir method with its own lock held, so setObject releases f.mu
// before adding the file to the directory.
package fixed

import (
	"path"
	"sync"
	"time"
)

// Object is a remote object.
type Object interface {
	Remote() string
	ModTime() time.Time
	SetModTime(t time.Time) error
}

// Lister lists a remote directory.
type Lister interface {
	List(dir string) ([]Object, error)
}

// Node is a file or a directory.
type Node interface {
	Name() string
}

// Dir is a directory in the VFS.
type Dir struct {
	f      Lister
	parent *Dir
	path   string

	mu    sync.Mutex // protects the following
	read  time.Time
	items map[string]Node
}

// NewDir returns a directory.
func NewDir(f Lister, parent *Dir, p string) *Dir {
	return &Dir{f: f, parent: parent, path: p, items: map[string]Node{}}
}

// Name of the directory.
func (d *Dir) Name() string { return path.Base(d.path) }

// addObject adds a new object or directory to the directory.
func (d *Dir) addObject(node Node) {
	d.mu.Lock()
	d.items[node.Name()] = node
	d.mu.Unlock()
}

// delObject removes an object from the directory.
func (d *Dir) delObject(leaf string) {
	d.mu.Lock()
	delete(d.items, leaf)
	d.mu.Unlock()
}

// _readDir reads the directory if the cache is stale; call with d.mu held.
func (d *Dir) _readDir(cacheTime time.Duration) error {
	when := time.Now()
	if !d.read.IsZero() && when.Sub(d.read) < cacheTime {
		return nil
	}
	entries, err := d.f.List(d.path)
	if err != nil {
		return err
	}
	d._readDirFromEntries(entries)
	d.read = when
	return nil
}

// _readDirFromEntries updates d.items; call with d.mu held.
func (d *Dir) _readDirFromEntries(entries []Object) {
	found := map[string]struct{}{}
	for _, o := range entries {
		name := path.Base(o.Remote())
		found[name] = struct{}{}
		if file, ok := d.items[name].(*File); ok {
			file.setObjectNoUpdate(o)
		} else {
			d.items[name] = newFile(d, o, name)
		}
	}
	for name, node := range d.items {
		if _, ok := found[name]; !ok {
			if _, isFile := node.(*File); isFile {
				delete(d.items, name)
			}
		}
	}
}

// ReadDirAll lists the directory.
func (d *Dir) ReadDirAll() ([]Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d._readDir(time.Minute); err != nil {
		return nil, err
	}
	nodes := make([]Node, 0, len(d.items))
	for _, n := range d.items {
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// ForgetPath marks the directory stale; the change notifier calls it.
func (d *Dir) ForgetPath() {
	d.mu.Lock()
	d.read = time.Time{}
	d.mu.Unlock()
}

// Create makes a new file in the directory, to be written.
func (d *Dir) Create(name string) *File { return newFile(d, nil, name) }

// File is a file in the VFS.
type File struct {
	mu             sync.Mutex // protects the following
	d              *Dir
	o              Object // nil while the file is being written
	leaf           string // read only
	pendingModTime time.Time
	writers        int
}

func newFile(d *Dir, o Object, leaf string) *File {
	return &File{d: d, o: o, leaf: leaf}
}

// Name of the file; leaf is fixed when the File is made.
func (f *File) Name() string { return f.leaf }

// _applyPendingModTime sets a queued modtime; call with f.mu held.
func (f *File) _applyPendingModTime() error {
	if f.pendingModTime.IsZero() || f.o == nil {
		return nil
	}
	defer func() { f.pendingModTime = time.Time{} }()
	return f.o.SetModTime(f.pendingModTime)
}

// setObject records the written object and adds the file to its directory.
func (f *File) setObject(o Object) {
	f.mu.Lock()
	f.o = o
	_ = f._applyPendingModTime()
	d := f.d
	f.mu.Unlock()

	// Release File.mu before calling a Dir method.
	d.addObject(f)
}

// setObjectNoUpdate updates the object without touching the directory,
// for use by the directory cache.
func (f *File) setObjectNoUpdate(o Object) {
	f.mu.Lock()
	f.o = o
	f.mu.Unlock()
}

// WriteFileHandle is an open file being written.
type WriteFileHandle struct {
	file   *File
	closed bool
	upload func(remote string) (Object, error)
}

// OpenWrite opens f for writing; upload stores the data remotely on close.
func (f *File) OpenWrite(upload func(remote string) (Object, error)) *WriteFileHandle {
	f.mu.Lock()
	f.writers++
	f.mu.Unlock()
	return &WriteFileHandle{file: f, upload: upload}
}

// Close finishes the upload and publishes the new object.
func (fh *WriteFileHandle) Close() error {
	if fh.closed {
		return nil
	}
	fh.closed = true
	f := fh.file
	f.mu.Lock()
	f.writers--
	remote := path.Join(f.d.path, f.leaf)
	f.mu.Unlock()
	o, err := fh.upload(remote)
	if err != nil {
		return err
	}
	f.setObject(o)
	return nil
}
