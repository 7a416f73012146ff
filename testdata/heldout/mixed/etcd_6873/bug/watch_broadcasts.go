// Package bug is a held-out kernel (issue 14): waiting for a goroutine's
// done channel while holding the lock that goroutine's loop takes.
//
// Upstream: etcd-io/etcd#6873 ("grpcproxy: fix deadlock on watch broadcasts stop")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: watchBroadcasts.stop holds wbs.mu, closes updatec and waits on donec
// for the coalesce loop to end; the loop may be in coalesce, waiting for
// wbs.mu, and never gets back to see updatec closed (TestV3WatchSyncCancel
// hung).
//
// Fix: stop releases wbs.mu before it waits on donec.
package bug

import "sync"

type watchBroadcast struct {
	mu        sync.Mutex
	nextrev   int64
	receivers map[int]struct{}
	stopped   bool
}

func (wb *watchBroadcast) stop() {
	wb.mu.Lock()
	wb.stopped = true
	wb.mu.Unlock()
}

type watchBroadcasts struct {
	mu      sync.Mutex
	bcasts  map[*watchBroadcast]struct{}
	updatec chan *watchBroadcast
	donec   chan struct{}
}

func newWatchBroadcasts() *watchBroadcasts {
	wbs := &watchBroadcasts{
		bcasts:  make(map[*watchBroadcast]struct{}),
		updatec: make(chan *watchBroadcast, 1),
		donec:   make(chan struct{}),
	}
	go func() {
		defer close(wbs.donec)
		for wb := range wbs.updatec {
			wbs.coalesce(wb)
		}
	}()
	return wbs
}

// coalesce merges wb into a broadcast at the same revision.
func (wbs *watchBroadcasts) coalesce(wb *watchBroadcast) {
	wbs.mu.Lock() // heldout:site
	defer wbs.mu.Unlock()
	for other := range wbs.bcasts {
		if other != wb && other.nextrev == wb.nextrev {
			for r := range wb.receivers {
				other.receivers[r] = struct{}{}
			}
			delete(wbs.bcasts, wb)
			return
		}
	}
}

func (wbs *watchBroadcasts) stop() {
	wbs.mu.Lock()
	defer wbs.mu.Unlock()
	for wb := range wbs.bcasts {
		wb.stop()
	}
	wbs.bcasts = nil
	close(wbs.updatec)
	<-wbs.donec // heldout:site
}
