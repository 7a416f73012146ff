// Package fixed is the fixed version of chansend/receptor_436: the waiting
// goroutine closes done instead of sending on it.
package fixed

import (
	"context"
	"errors"
	"sync"
)

// PodWatcher reports when a pod has finished.
type PodWatcher interface {
	WaitForCompletion(podName string) error
}

type kubeUnit struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	watcher PodWatcher
	pod     string
	state   string
	err     error
}

func newKubeUnit(parent context.Context, w PodWatcher, pod string) *kubeUnit {
	ctx, cancel := context.WithCancel(parent)
	return &kubeUnit{ctx: ctx, cancel: cancel, watcher: w, pod: pod}
}

func (kw *kubeUnit) setState(state string, err error) {
	kw.mu.Lock()
	defer kw.mu.Unlock()
	kw.state = state
	kw.err = err
}

// runWork waits for the pod to finish or for the unit to be cancelled.
func (kw *kubeUnit) runWork() {
	doneChan := make(chan struct{})
	var waitErr error
	go func() {
		defer close(doneChan)
		waitErr = kw.watcher.WaitForCompletion(kw.pod)
	}()

	select {
	case <-doneChan:
		kw.setState("finished", waitErr)
	case <-kw.ctx.Done():
		kw.setState("cancelled", errors.New("work unit cancelled"))
		return
	}
}

// Cancel stops the unit.
func (kw *kubeUnit) Cancel() {
	kw.cancel()
}
