// Package fixed is the fixed version of chanrecv/hcat_8: Stop closes a
// channel that Wait also waits on.
package fixed

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
	stopCh     chan struct{}
}

// NewWatcher returns a watcher with no dependencies.
func NewWatcher() *Watcher {
	return &Watcher{
		depViewMap: make(map[string]*view),
		dataCh:     make(chan *view, 1),
		errCh:      make(chan error),
		changed:    make(map[string]bool),
		stopCh:     make(chan struct{}),
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
	select {
	case v := <-w.dataCh:
		w.mu.Lock()
		w.changed[v.dependency] = true
		w.mu.Unlock()
		return nil
	case err := <-w.errCh:
		return err
	case <-timeoutCh:
		return nil
	case <-w.stopCh:
		return nil
	}
}

// Stop halts the watcher and all its views.
func (w *Watcher) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range w.depViewMap {
		v.stop()
	}
	w.depViewMap = make(map[string]*view)
	close(w.stopCh)
}
