// Package fixed is the fixed version of mixed/etcd_6873: stop waits for the
// coalesce loop with wbs.mu released.
package fixed

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
	wbs.mu.Lock()
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
	for wb := range wbs.bcasts {
		wb.stop()
	}
	wbs.bcasts = nil
	close(wbs.updatec)
	wbs.mu.Unlock()
	<-wbs.donec
}
