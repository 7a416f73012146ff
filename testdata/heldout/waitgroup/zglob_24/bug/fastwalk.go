// Package bug is a held-out kernel (issue 14): zglob's FastWalk, after
// PR #23 made it wait for its workers, stops on the first error by
// closing donec and waiting on the workers' WaitGroup; nobody reads the
// results channel any more, so a worker that picked up one more directory
// blocks for ever sending its result once the buffer is full, never calls
// wg.Done, and FastWalk hangs in wg.Wait ("all goroutines are asleep").
//
// Upstream: mattn/go-zglob#24 ("fix bug when waiting for goroutines to exit after an error")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: FastWalk starts numWorkers workers and feeds them directories
// through workc from a todo stack, taking newly found directories from
// enqueuec and one result per directory from resc (buffered to
// numWorkers). A worker selects on donec and workc; for each item it
// walks the directory (running the user's callback on each entry) and
// sends the result on resc. On the first non-nil result FastWalk closes
// donec and calls wg.Wait. A worker whose select picked a buffered work
// item rather than donec walks it and sends on resc; once resc is full
// that send never completes, so the worker never reaches wg.Done and
// FastWalk never returns. readDir and the callback are reduced to
// function fields of the walker.
//
// Fix (mattn/go-zglob#24): before waiting, FastWalk starts a goroutine
// that drains resc, so the workers' sends complete and they see donec.
// Upstream's drainer returns only when resc is closed, which nothing
// does; in our fixed version FastWalk closes resc after wg.Wait (no
// worker can send any more) so the drainer ends too.
package bug

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// TraverseLink is a sentinel error for FastWalk, like filepath.SkipDir.
var TraverseLink = errors.New("traverse symlink, assuming target is a directory")

type walkItem struct {
	dir          string
	callbackDone bool
}

type walker struct {
	fn      func(path string, typ os.FileMode) error
	readDir func(dir string, fn func(dirName, entName string, typ os.FileMode) error) error

	donec    chan struct{} // closed on FastWalk's return
	workc    chan walkItem // to workers
	enqueuec chan walkItem // from workers
	resc     chan error    // from workers
}

// FastWalk walks the tree under root, calling walkFn for every file and
// directory, with several goroutines reading directories at once.
func FastWalk(root string, readDir func(string, func(string, string, os.FileMode) error) error, walkFn func(path string, typ os.FileMode) error) error {
	numWorkers := 4
	if n := runtime.NumCPU(); n > numWorkers {
		numWorkers = n
	}
	w := &walker{
		fn:       walkFn,
		readDir:  readDir,
		enqueuec: make(chan walkItem, numWorkers),
		workc:    make(chan walkItem, numWorkers),
		donec:    make(chan struct{}),
		resc:     make(chan error, numWorkers),
	}

	var wg sync.WaitGroup
	for i := 0; i < numWorkers; i++ {
		wg.Add(1)
		go w.doWork(&wg)
	}

	todo := []walkItem{{dir: root}}
	out := 0
	for {
		workc := w.workc
		var workItem walkItem
		if len(todo) == 0 {
			workc = nil
		} else {
			workItem = todo[len(todo)-1]
		}
		select {
		case workc <- workItem:
			todo = todo[:len(todo)-1]
			out++
		case it := <-w.enqueuec:
			todo = append(todo, it)
		case err := <-w.resc:
			if err != nil {
				close(w.donec)
				wg.Wait() // heldout:site
				return err
			}
			out--
			if out == 0 && len(todo) == 0 {
				select {
				case it := <-w.enqueuec:
					todo = append(todo, it)
				default:
					close(w.donec)
					wg.Wait()
					return nil
				}
			}
		}
	}
}

// doWork reads directories as instructed and runs the user's callback.
func (w *walker) doWork(wg *sync.WaitGroup) {
	for {
		select {
		case <-w.donec:
			wg.Done()
			return
		case it := <-w.workc:
			w.resc <- w.walk(it.dir, !it.callbackDone) // heldout:site
		}
	}
}

func (w *walker) enqueue(it walkItem) {
	select {
	case w.enqueuec <- it:
	case <-w.donec:
	}
}

func (w *walker) onDirEnt(dirName, baseName string, typ os.FileMode) error {
	joined := dirName + string(os.PathSeparator) + baseName
	if typ == os.ModeDir {
		w.enqueue(walkItem{dir: joined})
		return nil
	}
	err := w.fn(joined, typ)
	if typ == os.ModeSymlink {
		if err == TraverseLink {
			w.enqueue(walkItem{dir: joined, callbackDone: true})
			return nil
		}
		if err == filepath.SkipDir {
			return nil
		}
	}
	return err
}

func (w *walker) walk(root string, runUserCallback bool) error {
	if runUserCallback {
		err := w.fn(root, os.ModeDir)
		if err == filepath.SkipDir {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return w.readDir(root, w.onDirEnt)
}
