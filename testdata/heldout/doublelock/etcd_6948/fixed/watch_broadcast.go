// Package fixed is the fixed version of doublelock/etcd_6948: delete tests
// the receivers itself under the lock it holds.
package fixed

import (
	"context"
	"sync"
)

type watcher struct {
	nextrev int64
	ch      chan int64
}

// watchBroadcast shares one etcd watch among proxy watchers.
type watchBroadcast struct {
	cancel    context.CancelFunc
	donec     chan struct{}
	mu        sync.RWMutex
	nextrev   int64
	receivers map[*watcher]struct{}
	responses int
}

// empty is for callers that do not hold wb.mu.
func (wb *watchBroadcast) empty() bool {
	wb.mu.RLock()
	defer wb.mu.RUnlock()
	return len(wb.receivers) == 0
}

// add registers w unless the broadcast has moved past its revision.
func (wb *watchBroadcast) add(w *watcher) bool {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	if wb.nextrev > w.nextrev || (wb.nextrev == 0 && wb.responses != 0) {
		return false
	}
	wb.receivers[w] = struct{}{}
	return true
}

// delete unregisters w and stops the broadcast when it was the last one.
func (wb *watchBroadcast) delete(w *watcher) {
	wb.mu.Lock()
	defer wb.mu.Unlock()
	if _, ok := wb.receivers[w]; !ok {
		panic("deleting missing watcher from broadcast")
	}
	delete(wb.receivers, w)
	if len(wb.receivers) == 0 {
		wb.cancel()
	}
}

// prune drops broadcasts nobody watches any more.
func prune(bs []*watchBroadcast) []*watchBroadcast {
	var kept []*watchBroadcast
	for _, wb := range bs {
		if !wb.empty() {
			kept = append(kept, wb)
		}
	}
	return kept
}
