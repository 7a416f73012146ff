// Package fixed is the fixed version of lockorder/ovnkubernetes_5027: each
// informer is unlocked before the next one is locked.
package fixed

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
		func() {
			inf.Lock()
			defer inf.Unlock()
			inf.shutdown = true
			inf.removeAllHandlers()
		}()
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
