// Package fixed is the fixed version of close/gofs_82: DoneWithError
// stores the error and closes the channel, so every Wait returns.
package fixed

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
		c: make(chan struct{}, 1),
	}
	return w
}

type waitDone struct {
	c    chan struct{}
	mu   sync.Mutex
	done bool
	err  error
}

func (w *waitDone) Wait() error {
	w.mu.Lock()
	done := w.done
	w.mu.Unlock()
	if done {
		return w.getErr()
	}
	<-w.c
	return w.getErr()
}

func (w *waitDone) getErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *waitDone) Done() {
	w.DoneWithError(nil)
}

func (w *waitDone) DoneWithError(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.done = true
		w.err = err
		// the channel must be closed at the end
		close(w.c)
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
	wg.Wait()
	return err
}
