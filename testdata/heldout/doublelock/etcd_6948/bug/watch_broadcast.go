// Package bug is a held-out kernel (issue 14): an RWMutex read-locked by a
// helper while the caller holds its write lock.
//
// Upstream: etcd-io/etcd#6948 ("grpcproxy: fix deadlock in watchbroadcast", fixes etcd-io/etcd#6937)
//
// Bug: watchBroadcast's methods call empty(), which read-locks wb.mu, while
// they already hold wb.mu for writing: the RLock waits for the writer, which
// is the same goroutine.
//
// Fix: the methods test len(wb.receivers) directly; empty() is only called
// from outside with the lock free.
package bug

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

func (wb *watchBroadcast) empty() bool {
	wb.mu.RLock() // heldout:site
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
	if wb.empty() { // heldout:site
		wb.cancel()
	}
}
