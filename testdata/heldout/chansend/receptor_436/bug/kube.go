// Package bug is a held-out kernel (issue 14): a work unit that waits for
// its pod on an unbuffered done channel or for the unit's cancellation,
// and on cancellation leaves the waiting goroutine blocked on its send.
//
// Upstream: ansible/receptor#436 ("cleanup potential go leaks")
// Round: 4
//
// Bug: the issue names the pattern that recurred in receptor's work
// units: a goroutine waits for something and then sends true on an
// unbuffered doneChan, while the caller selects on doneChan and another
// channel (here the unit's context). When the other case wins, the caller
// returns and the goroutine blocks on its send forever. The issue shows
// the pattern, not the unit: the kube work unit's fields and helpers here
// are our reduction.
//
// Fix: the issue proposed a buffer of one or closing the channel; the
// fixed version here closes done from a defer (our choice of the two).
package bug

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
	doneChan := make(chan bool)
	var waitErr error
	go func() {
		waitErr = kw.watcher.WaitForCompletion(kw.pod)
		doneChan <- true // heldout:site
	}()

	select {
	case <-doneChan:
		kw.setState("finished", waitErr)
	case <-kw.ctx.Done():
		kw.setState("cancelled", errors.New("work unit cancelled"))
		return // heldout:site
	}
}

// Cancel stops the unit.
func (kw *kubeUnit) Cancel() {
	kw.cancel()
}
