// Package bug is a held-out kernel (issue 14): gofs's WaitDone marks a
// piece of work done by sending its result on a one-slot channel, which
// wakes exactly one Wait; a second Wait on the same WaitDone (the startup
// code and a shutdown watcher both waiting for a server) blocks for ever.
//
// Upstream: no-src/gofs#82 ("The WaitDone supports calling the Wait function many times")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: NewWaitDone makes c as `chan error` with one slot; DoneWithError
// sends err on c once (guarded by done under mu) and Wait does `return
// <-w.c`. The value is consumed by whichever Wait receives it first, so
// every other Wait, before or after Done, waits on an empty channel that
// is never written again nor closed. The WaitDone type follows the
// package as it was before the PR; the server start and the two waiters
// are our example of callers (the PR's title is the whole thread).
//
// Fix: DoneWithError stores err, marks done and closes c; Wait returns the
// stored error at once when done is already set, otherwise after c is
// closed, so any number of Waits return.
package bug

import (
	"errors"
	"log"
	"sync"
)

// WaitDone supports executing work synchronously and marking it done.
type WaitDone interface {
	Wait
	Done
}

// Wait waits for the work to finish.
type Wait interface {
	// Wait waits until the work has finished.
	Wait() error
}

// Done marks the work as finished.
type Done interface {
	// Done marks the work finished.
	Done()
	// DoneWithError marks the work finished with an error.
	DoneWithError(err error)
}

// NewWaitDone creates a WaitDone.
func NewWaitDone() WaitDone {
	w := &waitDone{
		c: make(chan error, 1),
	}
	return w
}

type waitDone struct {
	c    chan error
	done bool
	mu   sync.Mutex
}

func (w *waitDone) Wait() error {
	return <-w.c // heldout:site
}

func (w *waitDone) Done() {
	w.DoneWithError(nil)
}

func (w *waitDone) DoneWithError(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.c <- err // heldout:site
		w.done = true
	}
}

// Server is a gofs file server.
type Server interface {
	ListenAndServe() error
}

// startServer runs the server in the background and reports its end.
func startServer(s Server) Wait {
	wd := NewWaitDone()
	go func() {
		wd.DoneWithError(s.ListenAndServe())
	}()
	return wd
}

var errServerClosed = errors.New("server closed")

// run starts the server, watches it for the shutdown log and waits for it.
func run(s Server) error {
	w := startServer(s)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Wait(); err != nil && !errors.Is(err, errServerClosed) {
			log.Printf("file server exited: %v", err)
		}
	}()

	err := w.Wait()
	wg.Wait() // heldout:site
	return err
}
