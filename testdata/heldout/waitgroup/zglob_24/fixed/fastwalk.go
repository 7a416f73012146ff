// Package fixed is the fixed version of waitgroup/zglob_24: on an error
// FastWalk drains the results channel while it waits for the workers, so
// every worker gets back to its select, sees donec and calls wg.Done.
package fixed

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
				// Signal to the workers to close.
				close(w.donec)

				// Drain the results of the workers that have not
				// returned yet.
				drained := make(chan struct{})
				go func() {
					defer close(drained)
					for range w.resc {
					}
				}()

				wg.Wait()
				close(w.resc)
				<-drained
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
			w.resc <- w.walk(it.dir, !it.callbackDone)
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
