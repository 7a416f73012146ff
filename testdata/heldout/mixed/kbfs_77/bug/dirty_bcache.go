// Package bug is a held-out kernel (issue 14): a dirty-block cache that
// signals its permission-granting goroutine by sending on a small buffered
// channel while holding the cache lock, while that goroutine takes the same
// lock before it drains the channel.
//
// Upstream: keybase/kbfs#77 ("dirty_bcache: fix deadlock between bg goroutine and full channel")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: UpdateUnsyncedBytes and UpdateSyncingBytes adjust the byte counts
// under d.lock and, when the counts went down, send on decreasedBytes so
// that processPermission can admit waiting writers. processPermission
// loops over a select on decreasedBytes and the request channel and locks
// d.lock to look at the counts. With the one-slot buffer already full,
// the sender blocks holding d.lock, and processPermission, which is
// waiting for d.lock in its request case, never comes back to drain it.
// The PR states the cycle; the cache's fields and methods are our
// reduction.
//
// Fix: the signal is sent without blocking (a full buffer already means a
// wake-up is pending).
package bug

import "sync"

type dirtyReq struct {
	bytes int64
	start chan struct{}
}

// DirtyBlockCacheStandard tracks dirty bytes and throttles writers.
type DirtyBlockCacheStandard struct {
	requestsChan   chan dirtyReq
	decreasedBytes chan struct{}
	shutdownChan   chan struct{}

	lock               sync.Mutex
	unsyncedDirtyBytes int64
	syncingBytes       int64
	maxDirtyBytes      int64
}

// NewDirtyBlockCacheStandard starts the permission goroutine.
func NewDirtyBlockCacheStandard(maxDirtyBytes int64) *DirtyBlockCacheStandard {
	d := &DirtyBlockCacheStandard{
		requestsChan:   make(chan dirtyReq, 1000),
		decreasedBytes: make(chan struct{}, 1),
		shutdownChan:   make(chan struct{}),
		maxDirtyBytes:  maxDirtyBytes,
	}
	go d.processPermission()
	return d
}

func (d *DirtyBlockCacheStandard) canAccept(bytes int64) bool {
	d.lock.Lock() // heldout:site
	defer d.lock.Unlock()
	return d.unsyncedDirtyBytes+d.syncingBytes+bytes <= d.maxDirtyBytes
}

func (d *DirtyBlockCacheStandard) processPermission() {
	var waiting []dirtyReq
	for {
		select {
		case <-d.decreasedBytes:
		case r := <-d.requestsChan:
			waiting = append(waiting, r)
		case <-d.shutdownChan:
			return
		}
		for len(waiting) > 0 && d.canAccept(waiting[0].bytes) {
			close(waiting[0].start)
			waiting = waiting[1:]
		}
	}
}

func (d *DirtyBlockCacheStandard) signalDecreasedBytes() {
	d.decreasedBytes <- struct{}{} // heldout:site
}

// RequestPermissionToDirty returns a channel closed when bytes may be dirtied.
func (d *DirtyBlockCacheStandard) RequestPermissionToDirty(bytes int64) <-chan struct{} {
	r := dirtyReq{bytes: bytes, start: make(chan struct{})}
	d.requestsChan <- r
	return r.start
}

// UpdateUnsyncedBytes records newly dirtied (or cleaned) bytes.
func (d *DirtyBlockCacheStandard) UpdateUnsyncedBytes(newUnsyncedBytes int64) {
	d.lock.Lock() // heldout:site
	defer d.lock.Unlock()
	d.unsyncedDirtyBytes += newUnsyncedBytes
	if newUnsyncedBytes < 0 {
		d.signalDecreasedBytes()
	}
}

// UpdateSyncingBytes records bytes that finished syncing.
func (d *DirtyBlockCacheStandard) UpdateSyncingBytes(size int64) {
	d.lock.Lock() // heldout:site
	defer d.lock.Unlock()
	d.syncingBytes += size
	if size < 0 {
		d.signalDecreasedBytes()
	}
}

// Shutdown stops the permission goroutine.
func (d *DirtyBlockCacheStandard) Shutdown() {
	close(d.shutdownChan)
}
