// Package bug is a held-out kernel (issue 14): a watch factory whose
// Shutdown locks every informer in a loop over a map and defers each
// unlock, so it holds all the informer locks at once, taken in map order;
// two Shutdowns running in parallel take them in different orders.
//
// Upstream: ovn-kubernetes/ovn-kubernetes#5027 ("factory/handler: avoid deadlock on shutdown.")
// Round: 6
//
// Bug: the loop does inf.Lock(); defer inf.Unlock() for each informer, and
// the deferred unlocks run only when Shutdown returns. Ranging over a Go
// map yields a different order each time, so one Shutdown can hold inf1
// and wait for inf2 while another holds inf2 and waits for inf1 (the PR
// shows exactly these two threads; it was hit as issue #4092). The
// informer's handlers and queues are our reduction.
//
// Fix: each informer is locked and unlocked inside its own iteration (a
// closure with the defer), so at most one informer lock is held.
package bug

import (
	"reflect"
	"sync"
)

// Handler receives an informer's events.
type Handler struct {
	id       uint64
	OnDelete func(obj interface{})
}

type informer struct {
	sync.RWMutex
	oType    reflect.Type
	handlers map[uint64]*Handler
	shutdown bool
}

func (i *informer) removeAllHandlers() {
	for id := range i.handlers {
		delete(i.handlers, id)
	}
}

// WatchFactory owns the informers of every watched type.
type WatchFactory struct {
	informers map[reflect.Type]*informer
	stopChan  chan struct{}
	stopOnce  sync.Once
}

// Shutdown stops every informer and drops its handlers.
func (wf *WatchFactory) Shutdown() {
	wf.stopOnce.Do(func() { close(wf.stopChan) })
	for _, inf := range wf.informers {
		inf.Lock()         // heldout:site
		defer inf.Unlock() // heldout:site
		inf.shutdown = true
		inf.removeAllHandlers()
	}
}

// AddHandler registers h on the informer for objType.
func (wf *WatchFactory) AddHandler(objType reflect.Type, h *Handler) bool {
	inf, ok := wf.informers[objType]
	if !ok {
		return false
	}
	inf.Lock()
	defer inf.Unlock()
	if inf.shutdown {
		return false
	}
	inf.handlers[h.id] = h
	return true
}
