// Package bug is a held-out kernel (issue 14): Wait blocks on channels that
// Stop never signals.
//
// Upstream: hashicorp/hcat#8 ("Goroutine leak in watcher Wait/Stop"), fixed by hashicorp/hcat#10 ("calling Stop now triggers Wait to return")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: Watcher.Wait selects on the data channel, the error channel and an
// optional timeout. Stop stops every view's polling, so nothing will ever
// send on dataCh or errCh again; a Wait without a timeout, running in its
// own goroutine as consul-template does, never returns.
//
// Fix: Stop closes an internal stopCh that Wait also selects on.
package bug

import (
	"sync"
	"time"
)

type view struct {
	dependency string
	stopCh     chan struct{}
}

func (v *view) poll(dataCh chan<- *view, errCh chan<- error) {
	for {
		select {
		case <-v.stopCh:
			return
		case <-time.After(time.Second):
			dataCh <- v
		}
	}
}

func (v *view) stop() { close(v.stopCh) }

// Watcher watches dependencies and reports their changes.
type Watcher struct {
	mu         sync.Mutex
	depViewMap map[string]*view
	dataCh     chan *view
	errCh      chan error
	changed    map[string]bool
}

// NewWatcher returns a watcher with no dependencies.
func NewWatcher() *Watcher {
	return &Watcher{
		depViewMap: make(map[string]*view),
		dataCh:     make(chan *view, 1),
		errCh:      make(chan error),
		changed:    make(map[string]bool),
	}
}

// Watch starts polling a dependency.
func (w *Watcher) Watch(dep string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v := &view{dependency: dep, stopCh: make(chan struct{})}
	w.depViewMap[dep] = v
	go v.poll(w.dataCh, w.errCh)
}

// Wait blocks until new data is available, an error occurs, or the timeout
// expires (no timeout if timeout is 0).
func (w *Watcher) Wait(timeout time.Duration) error {
	var timeoutCh <-chan time.Time
	if timeout > 0 {
		timeoutCh = time.After(timeout)
	}
	select { // heldout:site
	case v := <-w.dataCh:
		w.mu.Lock()
		w.changed[v.dependency] = true
		w.mu.Unlock()
		return nil
	case err := <-w.errCh:
		return err
	case <-timeoutCh:
		return nil
	}
}

// Stop halts the watcher and all its views.
func (w *Watcher) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range w.depViewMap {
		v.stop() // heldout:site
	}
	w.depViewMap = make(map[string]*view)
}
